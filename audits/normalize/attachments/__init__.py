"""Reports published as attachment files (PDF, Word, Excel): read into text and tables.

`extract.extract_attachment` reads one file (one module per format); `body.choose_body`
decides, per page, whether the HTML body or an attachment is the report the rules read.
"""
