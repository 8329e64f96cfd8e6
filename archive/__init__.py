"""The versioned SQLite archive: captures, content-addressed blobs, documents, versions,
figures; views `reports` and `report_figures`. Never imports `crawler`."""
