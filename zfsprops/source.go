package zfsprops

import "strings"

// Source is where a property value came from (the SOURCE column of zfs get).
type Source int

const (
	SourceNone Source = iota // "-": unset or a read-only property
	SourceLocal
	SourceReceived
	SourceInherited
	SourceDefault
	SourceTemporary
)

// ParseSource reads the source column; "inherited from X" is inherited.
func ParseSource(s string) Source {
	switch first, _, _ := strings.Cut(s, " "); first {
	case "local":
		return SourceLocal
	case "received":
		return SourceReceived
	case "inherited":
		return SourceInherited
	case "default":
		return SourceDefault
	case "temporary":
		return SourceTemporary
	}
	return SourceNone
}

func (s Source) String() string {
	return [...]string{"-", "local", "received", "inherited", "default", "temporary"}[s]
}

// Value is one property value with its source. A missing user property
// reads as Value{"-", SourceNone}, which Set reports as false.
type Value struct {
	Value  string
	Source Source
}

// Set reports whether the property has a value at all.
func (v Value) Set() bool { return v.Source != SourceNone && v.Value != "-" }

// Local returns the value only when it was set locally: role and lock
// checks ignore received and inherited values (classic §3).
func (v Value) Local() string {
	if v.Source == SourceLocal {
		return v.Value
	}
	return ""
}

// Any returns the value from any source, "" when unset.
func (v Value) Any() string {
	if v.Set() {
		return v.Value
	}
	return ""
}
