"""Every input file read one way: regular files only, UTF-8 with or without BOM, CRLF as LF, GBK refused, the one JSON parse."""
