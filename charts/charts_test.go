package charts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const (
	chartDir    = "terngate"
	releaseName = "tg"
	namespace   = "storage"
	fullname    = "tg-terngate"
	// kubeVersion is the cluster version rendering assumes (the chart needs
	// 1.30 for the preStop sleep action).
	kubeVersion = "v1.33.0"
)

// metricNames are the series the gateway exports (issue 7) and the
// dashboard must query.
var metricNames = []string{
	"terngate_requests_total",
	"terngate_request_duration_seconds",
	"terngate_bytes_in_total",
	"terngate_bytes_out_total",
	"terngate_multipart_uploads_inflight",
	"terngate_store_errors_total",
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("chart metadata: %v", err)
	}
	return c
}

func parseValues(t *testing.T, y string) map[string]any {
	t.Helper()
	vals := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &vals); err != nil {
		t.Fatalf("test values: %v", err)
	}
	return vals
}

// render installs the chart client-only (no cluster) with the given values
// and returns the release's manifest and notes.
func render(t *testing.T, vals map[string]any) (manifest, notes string, err error) {
	t.Helper()
	cfg := &action.Configuration{Log: func(format string, v ...any) { t.Logf(format, v...) }}
	install := action.NewInstall(cfg)
	install.DryRun = true
	install.ClientOnly = true
	install.ReleaseName = releaseName
	install.Namespace = namespace
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	install.KubeVersion = kv
	rel, err := install.Run(loadChart(t), vals)
	if err != nil {
		return "", "", err
	}
	return rel.Manifest, rel.Info.Notes, nil
}

// objects is a rendered release, every manifest strictly decoded into its
// Kubernetes API type and indexed by name.
type objects struct {
	deployments     map[string]*appsv1.Deployment
	services        map[string]*corev1.Service
	configMaps      map[string]*corev1.ConfigMap
	secrets         map[string]*corev1.Secret
	pvcs            map[string]*corev1.PersistentVolumeClaim
	serviceAccounts map[string]*corev1.ServiceAccount
	ingresses       map[string]*networkingv1.Ingress
	networkPolicies map[string]*networkingv1.NetworkPolicy
	pdbs            map[string]*policyv1.PodDisruptionBudget
	hpas            map[string]*autoscalingv2.HorizontalPodAutoscaler
	serviceMonitors map[string]*unstructured.Unstructured
	notes           string
}

func (o *objects) count() int {
	return len(o.deployments) + len(o.services) + len(o.configMaps) + len(o.secrets) + len(o.pvcs) +
		len(o.serviceAccounts) + len(o.ingresses) + len(o.networkPolicies) + len(o.pdbs) + len(o.hpas) + len(o.serviceMonitors)
}

// strictInto decodes a manifest into a new T, rejecting unknown and
// duplicate fields, and files it under its name.
func strictInto[T any](t *testing.T, m map[string]*T, name, doc string) {
	t.Helper()
	v := new(T)
	if err := yaml.UnmarshalStrict([]byte(doc), v); err != nil {
		t.Fatalf("%s %s does not decode strictly: %v\n%s", fmt.Sprintf("%T", v), name, err, doc)
	}
	if _, dup := m[name]; dup {
		t.Fatalf("two %T named %s", v, name)
	}
	m[name] = v
}

func decode(t *testing.T, manifest, notes string) *objects {
	t.Helper()
	o := &objects{
		deployments:     map[string]*appsv1.Deployment{},
		services:        map[string]*corev1.Service{},
		configMaps:      map[string]*corev1.ConfigMap{},
		secrets:         map[string]*corev1.Secret{},
		pvcs:            map[string]*corev1.PersistentVolumeClaim{},
		serviceAccounts: map[string]*corev1.ServiceAccount{},
		ingresses:       map[string]*networkingv1.Ingress{},
		networkPolicies: map[string]*networkingv1.NetworkPolicy{},
		pdbs:            map[string]*policyv1.PodDisruptionBudget{},
		hpas:            map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		serviceMonitors: map[string]*unstructured.Unstructured{},
		notes:           notes,
	}
	for _, doc := range releaseutil.SplitManifests(manifest) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name   string            `json:"name"`
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("manifest is not YAML: %v\n%s", err, doc)
		}
		name := head.Metadata.Name
		if name == "" {
			t.Fatalf("%s without a name:\n%s", head.Kind, doc)
		}
		if head.Metadata.Labels["app.kubernetes.io/instance"] != releaseName {
			t.Errorf("%s %s lacks the app.kubernetes.io/instance label", head.Kind, name)
		}
		switch gvk := head.APIVersion + "/" + head.Kind; gvk {
		case "apps/v1/Deployment":
			strictInto(t, o.deployments, name, doc)
		case "v1/Service":
			strictInto(t, o.services, name, doc)
		case "v1/ConfigMap":
			strictInto(t, o.configMaps, name, doc)
		case "v1/Secret":
			strictInto(t, o.secrets, name, doc)
		case "v1/PersistentVolumeClaim":
			strictInto(t, o.pvcs, name, doc)
		case "v1/ServiceAccount":
			strictInto(t, o.serviceAccounts, name, doc)
		case "networking.k8s.io/v1/Ingress":
			strictInto(t, o.ingresses, name, doc)
		case "networking.k8s.io/v1/NetworkPolicy":
			strictInto(t, o.networkPolicies, name, doc)
		case "policy/v1/PodDisruptionBudget":
			strictInto(t, o.pdbs, name, doc)
		case "autoscaling/v2/HorizontalPodAutoscaler":
			strictInto(t, o.hpas, name, doc)
		case "monitoring.coreos.com/v1/ServiceMonitor":
			u := &unstructured.Unstructured{}
			if err := yaml.UnmarshalStrict([]byte(doc), &u.Object); err != nil {
				t.Fatalf("ServiceMonitor %s: %v", name, err)
			}
			o.serviceMonitors[name] = u
		default:
			t.Fatalf("unexpected manifest %s %s: add it to the test's decoder", gvk, name)
		}
	}
	return o
}

func renderObjects(t *testing.T, valuesYAML string) *objects {
	t.Helper()
	manifest, notes, err := render(t, parseValues(t, valuesYAML))
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return decode(t, manifest, notes)
}

// gateway returns the gateway Deployment and its container.
func (o *objects) gateway(t *testing.T) (*appsv1.Deployment, *corev1.Container) {
	t.Helper()
	d := o.deployments[fullname]
	if d == nil {
		t.Fatalf("no Deployment %s (have %v)", fullname, keys(o.deployments))
	}
	for i := range d.Spec.Template.Spec.Containers {
		if c := &d.Spec.Template.Spec.Containers[i]; c.Name == "terngate" {
			return d, c
		}
	}
	t.Fatal("gateway Deployment has no terngate container")
	return nil, nil
}

// env is the gateway's environment as the kubelet would build it: the
// ConfigMaps of envFrom, then env (literal values, or secretKeyRef as
// "secret:<name>/<key>").
func (o *objects) env(t *testing.T) map[string]string {
	t.Helper()
	_, c := o.gateway(t)
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			t.Fatalf("envFrom other than a ConfigMap: %+v", from)
		}
		cm := o.configMaps[from.ConfigMapRef.Name]
		if cm == nil {
			t.Fatalf("envFrom names ConfigMap %s, which the chart does not render", from.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			if !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`).MatchString(k) {
				t.Errorf("ConfigMap %s key %q is not an environment variable name", cm.Name, k)
			}
			env[k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		default:
			t.Fatalf("env %s: unexpected source %+v", e.Name, e.ValueFrom)
		}
	}
	return env
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// checkEnv asserts the environment has exactly these values for these keys
// ("" means absent).
func checkEnv(t *testing.T, env map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		got, ok := env[k]
		switch {
		case w == "" && ok:
			t.Errorf("env %s = %q, want it unset", k, got)
		case w != "" && got != w:
			t.Errorf("env %s = %q, want %q", k, got, w)
		}
	}
}

// checkPodBasics asserts what every rendering of the gateway must have.
func checkPodBasics(t *testing.T, o *objects) {
	t.Helper()
	d, c := o.gateway(t)
	pod := d.Spec.Template.Spec

	sel := d.Spec.Selector.MatchLabels
	for k, v := range sel {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("pod template label %s=%q does not match the selector's %q", k, d.Spec.Template.Labels[k], v)
		}
	}

	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["s3"] != 9000 || ports["admin"] != 9001 {
		t.Errorf("container ports %v, want s3 9000 and admin 9001", ports)
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		want := map[string]string{"liveness": "/healthz", "readiness": "/readyz"}[name]
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe is not an HTTP GET", name)
			continue
		}
		if p.HTTPGet.Path != want || p.HTTPGet.Port.String() != "admin" {
			t.Errorf("%s probe GETs %s on port %s, want %s on admin", name, p.HTTPGet.Path, p.HTTPGet.Port.String(), want)
		}
	}

	psc, sc := pod.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod security context %+v does not run as a non-root user", psc)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("container root filesystem is not read-only")
	}
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("container allows privilege escalation")
	}
	if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Error("container keeps its capabilities")
	}

	// In-flight requests get --shutdown-grace after SIGTERM, which comes
	// after the preStop pause.
	shutdown, err := time.ParseDuration(o.env(t)["TERNGATE_SHUTDOWN_GRACE"])
	if err != nil {
		t.Fatalf("TERNGATE_SHUTDOWN_GRACE: %v", err)
	}
	grace := int64(0)
	if pod.TerminationGracePeriodSeconds != nil {
		grace = *pod.TerminationGracePeriodSeconds
	}
	pause := int64(0)
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		pause = c.Lifecycle.PreStop.Sleep.Seconds
	}
	if time.Duration(grace)*time.Second <= shutdown+time.Duration(pause)*time.Second {
		t.Errorf("terminationGracePeriodSeconds %d does not exceed the gateway's %s shutdown grace plus the %d s preStop pause", grace, shutdown, pause)
	}

	aa := pod.Affinity
	if aa == nil || aa.PodAntiAffinity == nil || len(aa.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		t.Fatal("no preferred pod anti-affinity")
	}
	term := aa.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm
	if term.TopologyKey != "kubernetes.io/hostname" || term.LabelSelector == nil {
		t.Errorf("anti-affinity term %+v does not spread over nodes", term)
	} else {
		for k, v := range term.LabelSelector.MatchLabels {
			if sel[k] != v {
				t.Errorf("anti-affinity selects %s=%s, which is not a gateway selector label", k, v)
			}
		}
	}

	// Every volume mounted exists, and every writable path is a volume.
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		if _, ok := vols[m.Name]; !ok {
			t.Errorf("mount %s names no volume", m.Name)
		}
		mounts[m.MountPath] = m.Name
	}
	for _, p := range []string{"/data", "/tmp"} {
		if mounts[p] == "" {
			t.Errorf("nothing mounted on %s (root filesystem is read-only)", p)
		}
	}

	// Secrets named by the pod exist (or are the user's existing ones).
	cm := o.configMaps[fullname]
	if cm == nil {
		t.Fatalf("no ConfigMap %s", fullname)
	}
	if d.Spec.Template.Annotations["checksum/config"] == "" {
		t.Error("pod template has no checksum/config annotation: config changes would not roll the pods")
	}

	svc := o.services[fullname]
	if svc == nil {
		t.Fatalf("no Service %s", fullname)
	}
	sp := map[string]string{}
	for _, p := range svc.Spec.Ports {
		sp[p.Name] = fmt.Sprintf("%d->%s", p.Port, p.TargetPort.String())
	}
	if sp["s3"] != "9000->s3" || sp["admin"] != "9001->admin" {
		t.Errorf("Service ports %v, want s3 9000->s3 and admin 9001->admin", sp)
	}
	for k, v := range svc.Spec.Selector {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("Service selects %s=%s, which the gateway pods lack", k, v)
		}
	}
}

func TestChartLints(t *testing.T) {
	for name, vals := range map[string]string{"default": "", "ternfs": ternfsValues, "autoscaled": autoscaledValues} {
		t.Run(name, func(t *testing.T) {
			kv, err := chartutil.ParseKubeVersion(kubeVersion)
			if err != nil {
				t.Fatal(err)
			}
			l := lint.AllWithKubeVersionAndSchemaValidation(chartDir, parseValues(t, vals), namespace, kv, false)
			for _, m := range l.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("lint: %s", m)
				} else {
					t.Logf("lint: %s", m)
				}
			}
		})
	}
}

func TestDefaultValues(t *testing.T) {
	o := renderObjects(t, "")
	checkPodBasics(t, o)
	d, c := o.gateway(t)

	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("replicas %v, want 1", d.Spec.Replicas)
	}
	// One process owns the embedded store's database.
	if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("local store with a volume: strategy %s, want Recreate", d.Spec.Strategy.Type)
	}
	checkEnv(t, o.env(t), map[string]string{
		"TERNGATE_LISTEN":             "0.0.0.0:9000",
		"TERNGATE_ADMIN_LISTEN":       "0.0.0.0:9001",
		"TERNGATE_DATA_DIR":           "/data",
		"TERNGATE_REGION":             "us-east-1",
		"TERNGATE_LOG_LEVEL":          "info",
		"TERNGATE_LOG_FORMAT":         "json",
		"TERNGATE_LOG_FLUSH_INTERVAL": "100ms",
		"TERNGATE_MAX_PUT_SIZE":       "5368709120",
		"TERNGATE_MULTIPART_EXPIRY":   "168h",
		"TERNGATE_SHUTDOWN_GRACE":     "30s",
		"TERNGATE_DOMAIN":             "",
		"TERNGATE_ACCESS_KEY":         "",
		"TERNGATE_SECRET_KEY":         "",
		"TERNGATE_USERS_FILE":         "",
		"TERNGATE_REDIS_URL":          "",
		"TERNGATE_TLS_CERT":           "",
		"TERNGATE_TLS_SELF_SIGNED":    "",
	})

	pvc := o.pvcs[fullname+"-data"]
	if pvc == nil {
		t.Fatalf("no PersistentVolumeClaim for the local store (have %v)", keys(o.pvcs))
	}
	if got := pvc.Spec.Resources.Requests.Storage().String(); got != "10Gi" {
		t.Errorf("PVC requests %s, want 10Gi", got)
	}
	var dataVol *corev1.Volume
	for i, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "data" {
			dataVol = &d.Spec.Template.Spec.Volumes[i]
		}
	}
	if dataVol == nil || dataVol.PersistentVolumeClaim == nil || dataVol.PersistentVolumeClaim.ClaimName != pvc.Name {
		t.Errorf("data volume %+v is not the PVC %s", dataVol, pvc.Name)
	}
	if len(c.Resources.Requests) == 0 {
		t.Error("no resource requests")
	}

	// Optional objects stay out by default.
	if len(o.secrets) != 0 || len(o.ingresses) != 0 || len(o.hpas) != 0 || len(o.pdbs) != 0 ||
		len(o.networkPolicies) != 0 || len(o.serviceMonitors) != 0 || len(o.deployments) != 1 || len(o.configMaps) != 1 {
		t.Errorf("default render has optional objects: secrets %v ingresses %v hpas %v pdbs %v netpols %v monitors %v deployments %v configmaps %v",
			keys(o.secrets), keys(o.ingresses), keys(o.hpas), keys(o.pdbs), keys(o.networkPolicies), keys(o.serviceMonitors), keys(o.deployments), keys(o.configMaps))
	}
	if !strings.Contains(o.notes, "generated on first start") {
		t.Errorf("notes do not say where the generated key pair is:\n%s", o.notes)
	}
}

// ternfsValues: TernFS, three replicas, external Redis, Ingress, TLS from
// an existing Secret, a users file, PDB, ServiceMonitor, NetworkPolicy and
// the Grafana dashboard.
const ternfsValues = `
replicaCount: 3
store:
  type: ternfs
ternfs:
  registryAddresses: ["ternfs-registry-0.ternfs:10001", "ternfs-registry-1.ternfs:10001"]
  root: /s3
  bucketMap: {photos: /data/photos, logs: /var/logs}
  snapshotRetention: 30m
  bufferMemory: 201326592
  spanPolicy: "27484160:10+4"
  leaseTTL: 3s
gateway:
  region: eu-west-2
  domain: s3.example.com
  logLevel: debug
  logFormat: text
  maxPutSize: 1073741824
  multipartExpiry: 24h
  shutdownGraceSeconds: 20
redis:
  url: redis://:hunter22@redis.cache:6379/3
auth:
  usersFile:
    enabled: true
    users:
      - name: alice
        access_key: AKIAALICE0001
        secret_key: correct-horse-battery-staple
      - name: ci
        access_key: AKIACI0000001
        secret_key: another-long-secret
tls:
  enabled: true
  existingSecret: s3-example-com-tls
ingress:
  enabled: true
  className: nginx
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: "0"
  hosts:
    - host: s3.example.com
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: s3-example-com-tls
      hosts: [s3.example.com]
podDisruptionBudget:
  enabled: true
  maxUnavailable: 1
metrics:
  serviceMonitor:
    enabled: true
    interval: 15s
    labels:
      release: prometheus
networkPolicy:
  enabled: true
  adminFrom:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: monitoring
grafana:
  dashboard:
    enabled: true
`

func TestTernFSThreeReplicas(t *testing.T) {
	o := renderObjects(t, ternfsValues)
	checkPodBasics(t, o)
	d, c := o.gateway(t)
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
		t.Errorf("replicas %v, want 3", d.Spec.Replicas)
	}
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy %+v, want RollingUpdate with maxUnavailable 0", d.Spec.Strategy)
	}

	env := o.env(t)
	checkEnv(t, env, map[string]string{
		"TERNGATE_REGION":           "eu-west-2",
		"TERNGATE_DOMAIN":           "s3.example.com",
		"TERNGATE_LOG_LEVEL":        "debug",
		"TERNGATE_LOG_FORMAT":       "text",
		"TERNGATE_MAX_PUT_SIZE":     "1073741824",
		"TERNGATE_MULTIPART_EXPIRY": "24h",
		"TERNGATE_SHUTDOWN_GRACE":   "20s",
		"TERNGATE_REDIS_URL":        "secret:" + fullname + "/redis-url",
		"TERNGATE_USERS_FILE":       "/etc/terngate/users/users.yaml",
		"TERNGATE_TLS_CERT":         "/etc/terngate/tls/tls.crt",
		"TERNGATE_TLS_KEY":          "/etc/terngate/tls/tls.key",
		"TERNGATE_TLS_SELF_SIGNED":  "",
		"TERNGATE_ACCESS_KEY":       "", // the users file replaces the key pair
		"TERNGATE_LEASE_TTL":        "3s",
		"TERNGATE_SINGLE_REPLICA":   "", // Redis serialises the replicas' writes
	})
	// The Redis URL carries a password: it must be in the Secret, not the ConfigMap.
	sec := o.secrets[fullname]
	if sec == nil {
		t.Fatalf("no Secret %s (have %v)", fullname, keys(o.secrets))
	}
	if got := string(sec.Data["redis-url"]); got != "redis://:hunter22@redis.cache:6379/3" {
		t.Errorf("Secret redis-url = %q", got)
	}
	for _, cm := range o.configMaps {
		for k, v := range cm.Data {
			if strings.Contains(v, "hunter22") || strings.Contains(v, "correct-horse") {
				t.Errorf("ConfigMap %s key %s holds a secret", cm.Name, k)
			}
		}
	}

	// The users file: a Secret mounted as a directory (no subPath, so
	// updates reach the gateway), in the gateway's own format.
	users := o.secrets[fullname+"-users"]
	if users == nil {
		t.Fatalf("no users Secret (have %v)", keys(o.secrets))
	}
	var uf struct {
		Users []struct {
			Name      string `json:"name"`
			AccessKey string `json:"access_key"`
			SecretKey string `json:"secret_key"`
		} `json:"users"`
	}
	if err := yaml.UnmarshalStrict(users.Data["users.yaml"], &uf); err != nil {
		t.Fatalf("users.yaml: %v\n%s", err, users.Data["users.yaml"])
	}
	if len(uf.Users) != 2 || uf.Users[0].Name != "alice" || uf.Users[1].AccessKey != "AKIACI0000001" || uf.Users[0].SecretKey != "correct-horse-battery-staple" {
		t.Errorf("users.yaml = %+v", uf)
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m
	}
	secretVols := map[string]string{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secretVols[v.Name] = v.Secret.SecretName
		}
	}
	if m := mounts["users"]; m.MountPath != "/etc/terngate/users" || m.SubPath != "" || secretVols["users"] != users.Name {
		t.Errorf("users mount %+v from Secret %q", m, secretVols["users"])
	}
	if m := mounts["tls"]; m.MountPath != "/etc/terngate/tls" || secretVols["tls"] != "s3-example-com-tls" {
		t.Errorf("tls mount %+v from Secret %q, want the existing s3-example-com-tls", m, secretVols["tls"])
	}

	// TernFS settings reach the gateway as its own settings.
	gcm := o.configMaps[fullname]
	if gcm == nil {
		t.Fatalf("no gateway ConfigMap (have %v)", keys(o.configMaps))
	}
	for k, want := range map[string]string{
		"TERNGATE_STORE":                     "ternfs",
		"TERNGATE_TERNFS_REGISTRY":           "ternfs-registry-0.ternfs:10001,ternfs-registry-1.ternfs:10001",
		"TERNGATE_TERNFS_ROOT":               "/s3",
		"TERNGATE_TERNFS_BUCKET_MAP":         "logs=/var/logs,photos=/data/photos",
		"TERNGATE_TERNFS_SNAPSHOT_RETENTION": "30m",
		"TERNGATE_TERNFS_BUFFER_MEMORY":      "201326592",
		"TERNGATE_TERNFS_SPAN_POLICY":        "27484160:10+4",
	} {
		if got := gcm.Data[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if len(o.pvcs) != 0 {
		t.Errorf("TernFS store renders PVCs %v", keys(o.pvcs))
	}
	if strings.Contains(o.notes, "WARNING") {
		t.Errorf("notes warn about a TernFS setup with a shared Redis:\n%s", o.notes)
	}

	ing := o.ingresses[fullname]
	if ing == nil {
		t.Fatal("no Ingress")
	}
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "nginx" || len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host != "s3.example.com" {
		t.Errorf("Ingress spec %+v", ing.Spec)
	} else if b := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service; b == nil || b.Name != fullname || b.Port.Name != "s3" {
		t.Errorf("Ingress backend %+v, want the Service's s3 port", b)
	}
	if len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName != "s3-example-com-tls" {
		t.Errorf("Ingress TLS %+v", ing.Spec.TLS)
	}

	pdb := o.pdbs[fullname]
	if pdb == nil || pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Fatalf("PodDisruptionBudget %+v, want maxUnavailable 1", pdb)
	}
	for k, v := range pdb.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("PDB selects %s=%s, which the gateway pods lack", k, v)
		}
	}

	sm := o.serviceMonitors[fullname]
	if sm == nil {
		t.Fatal("no ServiceMonitor")
	}
	if sm.GetLabels()["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels %v lack release=prometheus", sm.GetLabels())
	}
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(eps) != 1 {
		t.Fatalf("ServiceMonitor endpoints %v", eps)
	}
	ep := eps[0].(map[string]any)
	if ep["port"] != "admin" || ep["path"] != "/metrics" || ep["interval"] != "15s" {
		t.Errorf("ServiceMonitor endpoint %v, want admin /metrics every 15s", ep)
	}
	smSel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	for k, v := range smSel {
		if o.services[fullname].Labels[k] != v {
			t.Errorf("ServiceMonitor selects Services by %s=%s, which the gateway Service lacks", k, v)
		}
	}

	np := o.networkPolicies[fullname]
	if np == nil {
		t.Fatal("no NetworkPolicy")
	}
	rules := map[string]networkingv1.NetworkPolicyIngressRule{}
	for _, r := range np.Spec.Ingress {
		for _, p := range r.Ports {
			rules[p.Port.String()] = r
		}
	}
	if r, ok := rules["s3"]; !ok || len(r.From) != 0 {
		t.Errorf("NetworkPolicy s3 rule %+v, want open to all", r)
	}
	if r, ok := rules["admin"]; !ok || len(r.From) != 1 || r.From[0].NamespaceSelector == nil {
		t.Errorf("NetworkPolicy admin rule %+v, want only the monitoring namespace", r)
	}

	dash := o.configMaps[fullname+"-dashboard"]
	if dash == nil {
		t.Fatal("no dashboard ConfigMap")
	}
	if dash.Labels["grafana_dashboard"] != "1" {
		t.Errorf("dashboard ConfigMap labels %v lack grafana_dashboard=1", dash.Labels)
	}
	file, err := os.ReadFile(filepath.Join(chartDir, "dashboards", "terngate.json"))
	if err != nil {
		t.Fatal(err)
	}
	if dash.Data["terngate.json"] != strings.TrimRight(string(file), "\n") {
		t.Error("dashboard ConfigMap does not hold dashboards/terngate.json as it is")
	}
}

const autoscaledValues = `
store:
  type: ternfs
ternfs:
  registryAddresses: ["registry.ternfs:10001"]
auth:
  existingSecret: terngate-keys
redis:
  internal:
    enabled: true
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 8
  targetCPUUtilizationPercentage: 60
  targetMemoryUtilizationPercentage: 80
tls:
  enabled: true
  selfSigned: true
networkPolicy:
  enabled: true
`

func TestAutoscaledWithBundledRedis(t *testing.T) {
	o := renderObjects(t, autoscaledValues)
	checkPodBasics(t, o)
	d, _ := o.gateway(t)
	if d.Spec.Replicas != nil {
		t.Errorf("autoscaled Deployment sets replicas %d: every upgrade would reset the HPA's choice", *d.Spec.Replicas)
	}
	hpa := o.hpas[fullname]
	if hpa == nil {
		t.Fatal("no HorizontalPodAutoscaler")
	}
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != d.Name {
		t.Errorf("HPA scales %+v", hpa.Spec.ScaleTargetRef)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas != 2 || hpa.Spec.MaxReplicas != 8 {
		t.Errorf("HPA bounds %v..%d, want 2..8", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	targets := map[corev1.ResourceName]int32{}
	for _, m := range hpa.Spec.Metrics {
		if m.Resource != nil && m.Resource.Target.AverageUtilization != nil {
			targets[m.Resource.Name] = *m.Resource.Target.AverageUtilization
		}
	}
	if targets[corev1.ResourceCPU] != 60 || targets[corev1.ResourceMemory] != 80 {
		t.Errorf("HPA targets %v, want cpu 60 and memory 80", targets)
	}
	if o.pdbs[fullname] == nil {
		t.Error("autoscaled gateways have no PodDisruptionBudget")
	}

	redisName := fullname + "-redis"
	checkEnv(t, o.env(t), map[string]string{
		"TERNGATE_ACCESS_KEY":      "secret:terngate-keys/access-key",
		"TERNGATE_SECRET_KEY":      "secret:terngate-keys/secret-key",
		"TERNGATE_REDIS_URL":       "redis://" + redisName + ":6379/0",
		"TERNGATE_TLS_SELF_SIGNED": "true",
		"TERNGATE_TLS_CERT":        "",
	})
	if len(o.secrets) != 0 {
		t.Errorf("an existing key pair Secret and the bundled Redis need no Secret of the chart, got %v", keys(o.secrets))
	}
	rd, rs := o.deployments[redisName], o.services[redisName]
	if rd == nil || rs == nil {
		t.Fatalf("bundled Redis: Deployment %v, Service %v", rd != nil, rs != nil)
	}
	if rs.Spec.Ports[0].Port != 6379 {
		t.Errorf("Redis Service port %d", rs.Spec.Ports[0].Port)
	}
	for k, v := range rs.Spec.Selector {
		if rd.Spec.Template.Labels[k] != v {
			t.Errorf("Redis Service selects %s=%s, which the Redis pod lacks", k, v)
		}
	}
	gwSvc := o.services[fullname]
	matchesRedis := true
	for k, v := range gwSvc.Spec.Selector {
		if rd.Spec.Template.Labels[k] != v {
			matchesRedis = false
		}
	}
	if matchesRedis {
		t.Error("the gateway Service's selector also matches the Redis pod")
	}
	if rsc := rd.Spec.Template.Spec.SecurityContext; rsc == nil || rsc.RunAsNonRoot == nil || !*rsc.RunAsNonRoot {
		t.Error("bundled Redis does not run as non-root")
	}
	if o.networkPolicies[redisName] == nil {
		t.Error("NetworkPolicy enabled but Redis is open to every pod")
	}
}

// TestTernFSSinglePodWithoutRedis: terngate refuses --store ternfs without
// Redis unless told it is the only gateway; the chart, which already refuses
// several pods without Redis, says so for its single pod.
func TestTernFSSinglePodWithoutRedis(t *testing.T) {
	o := renderObjects(t, "store: {type: ternfs}\nternfs: {registryAddresses: [r:1]}\nauth: {existingSecret: k}")
	checkEnv(t, o.env(t), map[string]string{
		"TERNGATE_STORE":          "ternfs",
		"TERNGATE_SINGLE_REPLICA": "true",
		"TERNGATE_REDIS_URL":      "",
		"TERNGATE_LEASE_TTL":      "",
	})
}

func TestRenderRejectsBadCombinations(t *testing.T) {
	for _, tc := range []struct {
		name, values, want string
	}{
		{"local store with 3 replicas", "replicaCount: 3\nredis: {url: redis://r:6379}", "store.type=local supports exactly one replica (replicaCount is 3)"},
		{"local store autoscaled", "autoscaling: {enabled: true}\nredis: {url: redis://r:6379}", "store.type=local cannot autoscale"},
		{"replicas without Redis", "replicaCount: 2\nstore: {type: ternfs}\nternfs: {registryAddresses: [r:1]}\nauth: {existingSecret: k}", "shared multipart tracker and, on TernFS, shared write leases"},
		{"ternfs without registry", "store: {type: ternfs}\nauth: {existingSecret: k}", "needs ternfs.registryAddresses"},
		{"ternfs without credentials", "store: {type: ternfs}\nternfs: {registryAddresses: [r:1]}", "would generate its own key pair"},
		{"users file and key pair", "auth: {accessKey: AKIA1, secretKey: '12345678', usersFile: {enabled: true, existingSecret: u}}", "replaces the single key pair"},
		{"access key alone", "auth: {accessKey: AKIA1}", "auth.accessKey needs auth.secretKey"},
		{"TLS without certificate", "tls: {enabled: true}", "tls.enabled needs"},
		{"grace too short", "terminationGracePeriodSeconds: 33\npreStopSleepSeconds: 5", "must exceed gateway.shutdownGraceSeconds (30)"},
		{"grace below a longer shutdown", "gateway: {shutdownGraceSeconds: 60}", "must exceed gateway.shutdownGraceSeconds (60)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := render(t, parseValues(t, tc.values))
			if err == nil {
				t.Fatalf("rendered; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestSchemaRejectsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name, values string
		want         []string
	}{
		{"store type outside enum", "store: {type: s3}", []string{"/store/type", "local", "ternfs"}},
		{"log level outside enum", "gateway: {logLevel: verbose}", []string{"/gateway/logLevel"}},
		{"replicas as a string", "replicaCount: three", []string{"replicaCount"}},
		{"unknown top-level key", "replicas: 3", []string{"replicas"}},
		{"grace of zero", "terminationGracePeriodSeconds: 0", []string{"terminationGracePeriodSeconds"}},
		{"redis URL scheme", "redis: {url: http://r:6379}", []string{"/redis/url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := render(t, parseValues(t, tc.values))
			if err == nil {
				t.Fatal("rendered; want a schema error")
			}
			if !strings.Contains(err.Error(), "schema") {
				t.Errorf("error is not from the schema: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDashboardQueriesGatewayMetrics(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(chartDir, "dashboards", "terngate.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if dash.Title == "" || dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("dashboard lacks title, uid or panels: %+v", dash)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			if strings.Count(tg.Expr, "(") != strings.Count(tg.Expr, ")") {
				t.Errorf("panel %q: unbalanced parentheses in %q", p.Title, tg.Expr)
			}
			exprs = append(exprs, tg.Expr)
		}
	}
	all := strings.Join(exprs, "\n")
	for _, m := range metricNames {
		if !regexp.MustCompile(`\b` + m + `(_bucket|_sum|_count)?\b`).MatchString(all) {
			t.Errorf("no panel queries %s", m)
		}
	}
	// Every series queried is one the gateway exports.
	for _, s := range regexp.MustCompile(`\bterngate_[a-z_]+`).FindAllString(all, -1) {
		base := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(s, "")
		if !slices.Contains(metricNames, base) && !slices.Contains(metricNames, s) {
			t.Errorf("dashboard queries %s, which the gateway does not export", s)
		}
	}
}

// gatewayHelp builds the gateway once and returns its --help text.
var gatewayHelp = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "terngate-chart-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "terngate")
	build := exec.Command("go", "build", "-o", bin, "./gateway")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./gateway: %v\n%s", err, out)
	}
	var stderr bytes.Buffer
	help := exec.Command(bin, "--help")
	help.Stderr = &stderr
	if err := help.Run(); err != nil {
		return "", fmt.Errorf("terngate --help: %v\n%s", err, stderr.Bytes())
	}
	return stderr.String(), nil
})

// TestRenderedEnvIsReadByTheGateway keeps the chart from setting variables
// the program does not read (a renamed flag would otherwise be silently
// ignored).
func TestRenderedEnvIsReadByTheGateway(t *testing.T) {
	help, err := gatewayHelp()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`\(env (TERNGATE_[A-Z0-9_]+)\)`).FindAllStringSubmatch(help, -1) {
		known[m[1]] = true
	}
	if !known["TERNGATE_LISTEN"] {
		t.Fatalf("--help lists no TERNGATE_LISTEN:\n%s", help)
	}
	for name, vals := range map[string]string{"default": "", "ternfs": ternfsValues, "autoscaled": autoscaledValues} {
		o := renderObjects(t, vals)
		for k := range o.env(t) {
			if strings.HasPrefix(k, "TERNGATE_") && !known[k] {
				t.Errorf("%s values: the chart sets %s, which terngate --help does not list", name, k)
			}
		}
	}
}

// The SSE-S3 master key ring comes from an existing Secret, mounted as a
// file the gateway reads (--sse-master-key-file), never from values.
func TestEncryptionMasterKeysFromSecret(t *testing.T) {
	if env := renderObjects(t, "").env(t); env["TERNGATE_SSE_MASTER_KEY_FILE"] != "" {
		t.Fatalf("default values set TERNGATE_SSE_MASTER_KEY_FILE=%q", env["TERNGATE_SSE_MASTER_KEY_FILE"])
	}
	o := renderObjects(t, "encryption:\n  existingSecret: terngate-sse\n")
	env := o.env(t)
	if got := env["TERNGATE_SSE_MASTER_KEY_FILE"]; got != "/etc/terngate/sse/master-keys" {
		t.Fatalf("TERNGATE_SSE_MASTER_KEY_FILE = %q", got)
	}
	d, c := o.gateway(t)
	mounted := false
	for _, m := range c.VolumeMounts {
		if m.Name == "sse-master-keys" && m.MountPath == "/etc/terngate/sse" && m.ReadOnly {
			mounted = true
		}
	}
	var secret string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "sse-master-keys" && v.Secret != nil {
			secret = v.Secret.SecretName
		}
	}
	if !mounted || secret != "terngate-sse" {
		t.Fatalf("master keys: mounted %v, from Secret %q", mounted, secret)
	}
}
