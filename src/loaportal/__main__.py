from loaportal.cli import main

main()
