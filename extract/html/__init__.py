"""HTML pages: parsing (`dom`), rendering elements as lines and table grids (`render`,
`grid`), page furniture (`chrome`), the main text (`main`) and loading shells (`shell`)."""
