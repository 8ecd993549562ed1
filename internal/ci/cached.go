package ci

// Cached returns the view of the item that build makes, building it once per item and
// type T: later calls return the same *T, as Config does for decoded configurations. A
// failed build is not kept (the next call builds again). Rule engines use it for views
// of the whole item (the custom rules' CEL resource). Like Config, it is not safe for
// concurrent use on one Item.
func Cached[T any](it *Item, build func(*Item) (*T, error)) (*T, error) {
	for _, v := range it.views {
		if t, ok := v.(*T); ok {
			return t, nil
		}
	}
	t, err := build(it)
	if err != nil {
		return nil, err
	}
	it.views = append(it.views, t)
	return t, nil
}
