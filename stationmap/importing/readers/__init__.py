"""Reading a regional station list into rows of text, whatever shape the file is in.

County unions send what they have: Excel workbooks (.xlsx, old .xls), OpenDocument
sheets, text exported from Excel (comma, tab or semicolon separated; GBK, UTF-8 or
UTF-16) and now and then GeoJSON from a mapping tool. Each becomes a ``Sheet``: every
non-blank row as a list of strings, with the row number the file's owner sees in Excel,
so that a rejected row is named the way the clerk will look it up.

Every file is treated as hostile. Sizes are checked before anything is decompressed or
parsed, and a workbook's extent is measured before python-calamine opens it: calamine
builds a dense grid over the used range, so one stray cell at XFD1048576 in a 5 kB file
would ask for hundreds of gigabytes and abort the process. The guards that do this live
in :mod:`.guards`, one module per attack.

One module per kind of source: :mod:`.delimited` (with :mod:`.text_encoding`),
:mod:`.workbooks` (with :mod:`.merged_cells`), :mod:`.geojson`; :mod:`.formats` picks one
by the file's name and :mod:`.containers` by its content; :mod:`.sheet` holds the table
they all return.
"""

from .errors import ImportFileError
from .formats import FORMATS, read_sheet, read_sheet_bytes
from .geojson import LATITUDE_HEADER, LONGITUDE_HEADER
from .guards.sizes import MAX_BYTES, MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from .guards.zip_bomb import MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO
from .sheet import Sheet, find_header_row

__all__ = [
    "FORMATS",
    "LATITUDE_HEADER",
    "LONGITUDE_HEADER",
    "MAX_BYTES",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_RATIO",
    "ImportFileError",
    "Sheet",
    "find_header_row",
    "read_sheet",
    "read_sheet_bytes",
]
