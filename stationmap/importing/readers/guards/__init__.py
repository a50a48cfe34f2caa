"""Hostile-file guards: what a file would make a parser build, measured before it builds it.

Every uploaded file is treated as hostile. python-calamine, which reads the workbooks, is
Rust: it builds a dense grid over a sheet's used range and sizes buffers from counts the
file declares, and when an allocation fails the process aborts rather than raising. One
stray cell at XFD1048576 in a 5 kB xlsx would ask for hundreds of gigabytes and take the
server down. So nothing reaches calamine before these guards have measured it in Python:

- :mod:`.sizes`: the file's size before it is read, and the limits on rows, columns and
  grid cells every reader and guard enforces;
- :mod:`.zip_bomb`: an xlsx or ods whose members would decompress to gigabytes;
- :mod:`.xlsx_extent`: an xlsx sheet whose used range (or shared-string count) is huge;
- :mod:`.ods_extent`: an ods whose repeated rows and cells expand to a huge grid;
- :mod:`.xls_counts`: an old .xls whose container or BIFF records declare huge counts;
- :mod:`.xml_entities`: DTD and entity tricks against the guards' own XML parsing.

:mod:`.zip_workbook` runs the zip guards in order; the workbook reader calls it, or
:func:`.xls_counts.check_ole_workbook`, before it opens anything with calamine.
"""
