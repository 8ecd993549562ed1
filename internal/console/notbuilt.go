package console

// notBuilt is the data of the placeholder page of a section not built yet.
type notBuilt struct{ Title string }
