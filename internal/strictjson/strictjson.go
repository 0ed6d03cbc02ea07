// Package strictjson is the one way the project decodes a JSON document a
// person or another program wrote (a site policy, a sync index, a column
// map): exactly one UTF-8 value, no key the target does not know, and no
// key given twice in any object. encoding/json alone keeps the last of two
// equal keys and matches keys case-insensitively, so `"checks"` written
// twice, or `"Checks"` beside `"checks"`, would silently drop rules.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of objects and arrays, so a hostile document
// of a million brackets costs nothing to refuse.
const MaxDepth = 64

// Unmarshal decodes data, which must be at most maxBytes long, into v
// (a pointer to a struct or another value encoding/json accepts). The
// error names what is wrong (the key, where it is) so the writer can fix it.
func Unmarshal(data []byte, maxBytes int, v any) error {
	if len(data) > maxBytes {
		return fmt.Errorf("it is %d bytes, over the %d-byte limit", len(data), maxBytes)
	}
	if !utf8.Valid(data) {
		return errors.New("it is not UTF-8 text")
	}
	if err := checkKeys(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("there is more than one JSON value: the file holds one object")
	}
	return nil
}

// checkKeys walks the document's tokens and refuses a key that appears
// twice in one object (compared as encoding/json matches them, ignoring
// case) and nesting deeper than MaxDepth.
func checkKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		path   string
		keys   map[string]string
		key    bool   // the next string token is a key
		next   string // the path of the value after the last key
	}
	var stack []*frame
	// valueDone notes that the value after a key (or an array element)
	// has ended, so an object's next string token is a key again.
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = true
		}
	}
	for {
		t, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return describe(err)
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		d, delim := t.(json.Delim)
		switch {
		case top != nil && top.object && top.key && delim && d == '}':
			stack = stack[:len(stack)-1]
			valueDone()
		case top != nil && top.object && top.key:
			k := t.(string) // a key is always a string token
			fold := strings.ToLower(k)
			if first, dup := top.keys[fold]; dup {
				if first == k {
					return fmt.Errorf("key %q appears twice in %s: give it once", k, top.path)
				}
				return fmt.Errorf("keys %q and %q in %s are the same key (case does not count): give it once", first, k, top.path)
			}
			top.keys[fold] = k
			top.key = false
			top.next = top.path + "." + k
		case delim && (d == '{' || d == '['):
			if len(stack) >= MaxDepth {
				return fmt.Errorf("it nests deeper than %d levels", MaxDepth)
			}
			path := "$"
			if top != nil && top.object {
				path = top.next
			} else if top != nil {
				path = top.path + "[]"
			}
			stack = append(stack, &frame{object: d == '{', path: path, keys: map[string]string{}, key: d == '{'})
		case delim && d == ']':
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

// describe rewords encoding/json's errors where they would puzzle a person.
func describe(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the document"
		}
		return fmt.Errorf("%q holds a JSON %s where %s is expected", where, typ.Value, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown key %s: check its spelling against the documented keys", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("the JSON ends too early (a missing } or ])")
	}
	return err
}
