// Package dockerfile holds no code: its tests keep the repository's
// Dockerfile and .dockerignore from rotting on a machine without a container
// engine. They parse the Dockerfile with BuildKit's own parser, check the
// image it describes, and run its `go build` command line on the host.
package dockerfile
