//go:build !unix

package main

import "errors"

var errDataDirInUse = errors.New("data dir is in use by a running gateway")

func tryLockDataDir(string) (func(), error) {
	return nil, errors.New("checking the data dir's lock needs a Unix system (flock)")
}
