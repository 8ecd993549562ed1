package probity

// OwnerName names the owner that manages an entry, for messages: the catalog source, or
// the API when none does.
func OwnerName(managedBy string) string {
	if managedBy == "" {
		return "the library (created through the API)"
	}
	return "catalog source " + managedBy
}

func checkOwner(kind, id, typ, custom, managedBy, source string) error {
	switch {
	case typ != custom:
		return Errorf(EINVALID, "The %s %s is a %s %s; only custom ones can be changed.", kind, id, typ, kind)
	case managedBy == source:
		return nil
	case managedBy != "":
		return Errorf(EINVALID, "The %s %s is managed by the catalog source %s; change it there.", kind, id, managedBy)
	}
	return Errorf(EINVALID, "The %s %s was created through the API; change it there.", kind, id)
}
