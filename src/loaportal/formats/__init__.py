"""Date and time formats that replace Django's where Canadian usage differs (FORMAT_MODULE_PATH).

French: "15 h 12" (Office québécois de la langue française, Translation Bureau), with
non-breaking spaces so a time never splits across lines.
"""
