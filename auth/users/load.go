package users

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Load reads and validates the users file at path.
func Load(path string) (*Set, error) {
	return load(path, func(string) {})
}

// load calls beforeRead with each file it is about to read (the users file,
// then its secret_key_files as far as it gets): the watcher stamps them
// there, before the read, so a change during the read is seen next poll.
func load(path string, beforeRead func(file string)) (*Set, error) {
	beforeRead(path)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	entries, err := parseEntries(data)
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("users file %s: no users defined", path)
	}
	for i := range entries {
		if err := resolveSecret(&entries[i], filepath.Dir(path), beforeRead); err != nil {
			return nil, fmt.Errorf("users file %s: %w", path, err)
		}
		if err := checkEntry(entries[i]); err != nil {
			return nil, fmt.Errorf("users file %s: %w", path, err)
		}
	}
	if err := checkUnique(entries); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return newSet(entries), nil
}

// resolveSecret fills e.secret from secret_key_file when one is given.
func resolveSecret(e *entry, dir string, beforeRead func(string)) error {
	switch {
	case e.secretFile == "" && e.secret.isZero():
		return fmt.Errorf("%s: missing secret_key (or secret_key_file)", e.where())
	case e.secretFile == "":
		return nil
	case !e.secret.isZero():
		return fmt.Errorf("%s: give secret_key or secret_key_file, not both", e.where())
	}
	file := e.secretFile
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	beforeRead(file)
	data, err := os.ReadFile(file)
	if err != nil {
		// os.ReadFile's *PathError names the file and the cause, never
		// the contents.
		return fmt.Errorf("%s: secret_key_file: %w", e.where(), err)
	}
	// Tools that write secret files (echo, kubectl) usually end them with
	// a newline that is not part of the secret.
	e.secret = newSecret(strings.TrimRight(string(data), "\r\n"))
	return nil
}
