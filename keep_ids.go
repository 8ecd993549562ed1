package probity

// idName is an entry of a list whose ids the caller may send: a data source of a
// control, a control set of a framework.
type idName struct{ id, name string }

// keepIDs decides the ids of the entries next that an update sends for the entries prev
// had: an entry that carries an id keeps it, even when renamed; one without takes the id
// of prev's entry of the same name, unless another entry claimed it; the rest stay empty
// for Normalize to fill. It returns the ids in next's order, or an EINVALID *Error (the
// kind's "invalid KIND") naming each sent id that prev does not hold or that two entries
// carry.
func keepIDs(kind, list, idMember, what, entry string, prev, next []idName) ([]string, error) {
	var ck checker
	owned := make(map[string]bool, len(prev))
	byName := make(map[string]string, len(prev))
	for _, e := range prev {
		owned[e.id] = true
		byName[e.name] = e.id
	}
	ids := make([]string, len(next))
	claimed := map[string]int{}
	for i, e := range next {
		if e.id == "" {
			continue
		}
		name := index(list, i) + "." + idMember
		if j, dup := claimed[e.id]; dup {
			ck.add(name, "is also the %s of %s", idMember, index(list, j))
			continue
		}
		claimed[e.id] = i
		ids[i] = e.id
		if !owned[e.id] {
			ck.add(name, "is not the id of a %s; leave it out to add a %s", what, entry)
		}
	}
	if err := ck.err(kind); err != nil {
		return nil, err
	}
	for i, e := range next {
		if id, ok := byName[e.name]; ok && ids[i] == "" {
			if _, taken := claimed[id]; !taken {
				ids[i] = id
				claimed[id] = i
			}
		}
	}
	return ids, nil
}
