// Package charts holds no code: its tests load, lint and render the Helm
// chart in charts/terngate and check every manifest it produces against the
// Kubernetes API types.
package charts
