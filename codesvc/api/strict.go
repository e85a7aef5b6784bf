package api

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
)

// Errors of the strict decoder beyond encoding/json's own. Neither
// message quotes the key: a key is request data.
var (
	// ErrDuplicateKey: an object names the same key twice. encoding/json
	// keeps the last, so two readers of one body could disagree on it.
	ErrDuplicateKey = errors.New("json: an object has the same key twice")
	// ErrKeyCase: a key matches a field only when case is ignored
	// ("ID_Number" for "id_number"), which encoding/json accepts.
	ErrKeyCase = errors.New("json: a key matches no field exactly (keys are case-sensitive)")
)

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkKeys walks one JSON value from dec alongside the Go type t it was
// decoded into, and refuses a duplicate key in any object and a struct
// key that is not exactly a field's name. It runs after encoding/json
// has accepted the value, so the shapes agree; t is nil where any value
// may appear (an interface, a type with its own decoder), and then only
// duplicates are checked.
func checkKeys(dec *json.Decoder, t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = fieldsOf(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			if seen[key] {
				return ErrDuplicateKey
			}
			seen[key] = true
			next := elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					return ErrKeyCase
				}
				next = ft
			}
			if err := checkKeys(dec, next); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if err := checkKeys(dec, elem); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf maps the exact JSON names of a struct's fields (embedded
// structs' fields included, as encoding/json promotes them) to their
// types.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" && !strings.HasPrefix(tag, "-,") {
				continue
			}
			if n != "" {
				name = n
			}
		}
		if _, dup := m[name]; !dup {
			m[name] = f.Type
		}
	}
	fieldCache.Store(t, m)
	return m
}
