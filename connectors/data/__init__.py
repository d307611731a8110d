"""Package data the connectors read at run time: ESFA schemas, code lists and rule catalogues.

See ``README.md`` beside this file for where each file comes from and its licence.
"""
