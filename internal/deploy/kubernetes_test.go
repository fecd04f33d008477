package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

const k8sDir = "deploy/kubernetes"

// k8sManifests decodes every manifest strictly into its Kubernetes API type:
// a misspelt or misplaced field fails here, not at `kubectl apply`.
type k8sManifests struct {
	deployments []appsv1.Deployment
	jobs        []batchv1.Job
	configMaps  []corev1.ConfigMap
	secrets     []corev1.Secret
	services    []corev1.Service
	pdbs        []policyv1.PodDisruptionBudget
	hpas        []autoscalingv2.HorizontalPodAutoscaler
	files       []string
}

func loadK8s(t *testing.T) k8sManifests {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", k8sDir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in %s (%v)", k8sDir, err)
	}
	var m k8sManifests
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		m.files = append(m.files, name)
		var head struct {
			Kind string `yaml:"kind"`
		}
		if err := yaml.Unmarshal(raw, &head); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		strict := func(into any) {
			t.Helper()
			if err := sigsyaml.UnmarshalStrict(raw, into); err != nil {
				t.Errorf("%s does not decode strictly as a %s: %v", name, head.Kind, err)
			}
		}
		switch head.Kind {
		case "Deployment":
			var v appsv1.Deployment
			strict(&v)
			m.deployments = append(m.deployments, v)
		case "Job":
			var v batchv1.Job
			strict(&v)
			m.jobs = append(m.jobs, v)
		case "ConfigMap":
			var v corev1.ConfigMap
			strict(&v)
			m.configMaps = append(m.configMaps, v)
		case "Secret":
			var v corev1.Secret
			strict(&v)
			m.secrets = append(m.secrets, v)
		case "Service":
			var v corev1.Service
			strict(&v)
			m.services = append(m.services, v)
		case "PodDisruptionBudget":
			var v policyv1.PodDisruptionBudget
			strict(&v)
			m.pdbs = append(m.pdbs, v)
		case "HorizontalPodAutoscaler":
			var v autoscalingv2.HorizontalPodAutoscaler
			strict(&v)
			m.hpas = append(m.hpas, v)
		case "Kustomization":
			var v struct {
				APIVersion string   `json:"apiVersion"`
				Kind       string   `json:"kind"`
				Resources  []string `json:"resources"`
			}
			strict(&v)
			for _, r := range v.Resources {
				if _, err := os.Stat(filepath.Join("..", "..", k8sDir, r)); err != nil {
					t.Errorf("kustomization.yaml lists %s, which does not exist", r)
				}
			}
		default:
			t.Errorf("%s: unexpected kind %q", name, head.Kind)
		}
	}
	return m
}

func TestKubernetesManifests(t *testing.T) {
	m := loadK8s(t)
	if len(m.deployments) != 1 || len(m.jobs) != 1 || len(m.configMaps) != 1 || len(m.secrets) != 1 ||
		len(m.services) != 1 || len(m.pdbs) != 1 || len(m.hpas) != 1 {
		t.Fatalf("want one each of Deployment, Job, ConfigMap, Secret, Service, PDB, HPA in %v", m.files)
	}
	known := apiEnvNames(t)
	isVar := func(name string) bool {
		return known[name] || (strings.HasSuffix(name, "_FILE") && known[strings.TrimSuffix(name, "_FILE")])
	}
	cm, secret := m.configMaps[0], m.secrets[0]
	for k := range cm.Data {
		if !isVar(k) {
			t.Errorf("ConfigMap %s sets %s, which the API does not read", cm.Name, k)
		}
	}
	for k, v := range secret.StringData {
		if v != "" {
			t.Errorf("the Secret template has a value for %s: it must hold none", k)
		}
	}
	for k := range secret.Data {
		t.Errorf("the Secret template has data for %s: it must hold none", k)
	}
	routes := specPaths(t)

	pods := map[string]corev1.PodSpec{
		"Deployment " + m.deployments[0].Name: m.deployments[0].Spec.Template.Spec,
		"Job " + m.jobs[0].Name:               m.jobs[0].Spec.Template.Spec,
	}
	for what, pod := range pods {
		if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
			t.Errorf("%s: the pod must run as non-root", what)
		}
		for _, c := range pod.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s/%s: the root filesystem must be read-only", what, c.Name)
			}
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s/%s: privilege escalation must be off", what, c.Name)
			}
			if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
				t.Errorf("%s/%s: all capabilities must be dropped, none added", what, c.Name)
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s/%s: CPU and memory requests and a memory limit are required", what, c.Name)
			}
			for _, e := range c.Env {
				if !isVar(e.Name) {
					t.Errorf("%s/%s sets %s, which the API does not read", what, c.Name, e.Name)
				}
				if strings.HasSuffix(e.Name, "_FILE") {
					assertSecretFile(t, what, pod, c, e.Value, secret)
				} else if e.Value != "" && (strings.Contains(e.Name, "SECRET") || strings.Contains(e.Name, "PASSWORD") || strings.HasSuffix(e.Name, "_URL")) {
					t.Errorf("%s/%s: %s is set in plain text; mount it from the Secret", what, c.Name, e.Name)
				}
			}
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef == nil || ef.ConfigMapRef.Name != cm.Name {
					t.Errorf("%s/%s: envFrom must name the ConfigMap %s", what, c.Name, cm.Name)
				}
			}
		}
	}

	api := m.deployments[0].Spec.Template.Spec.Containers[0]
	for name, p := range map[string]*corev1.Probe{"readiness": api.ReadinessProbe, "liveness": api.LivenessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("the API container needs an HTTP %s probe", name)
			continue
		}
		if !routes[p.HTTPGet.Path] {
			t.Errorf("%s probe path %s is not an endpoint of api/openapi.yaml", name, p.HTTPGet.Path)
		}
	}
	if api.ReadinessProbe != nil && api.ReadinessProbe.HTTPGet != nil && api.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("readiness probe on %s, want /readyz", api.ReadinessProbe.HTTPGet.Path)
	}
	if api.LivenessProbe != nil && api.LivenessProbe.HTTPGet != nil && api.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("liveness probe on %s, want /healthz (a database outage must not restart pods)", api.LivenessProbe.HTTPGet.Path)
	}
	if !slices.Equal(m.jobs[0].Spec.Template.Spec.Containers[0].Args, []string{"migrate", "up"}) {
		t.Errorf("the Job runs %v, want migrate up", m.jobs[0].Spec.Template.Spec.Containers[0].Args)
	}
	if cm.Data["MIGRATE_ON_START"] != "false" {
		t.Error("pods must not migrate on start (the Job does it once)")
	}

	labels := m.deployments[0].Spec.Template.Labels
	for what, sel := range map[string]map[string]string{
		"Service":             m.services[0].Spec.Selector,
		"PodDisruptionBudget": m.pdbs[0].Spec.Selector.MatchLabels,
		"Deployment":          m.deployments[0].Spec.Selector.MatchLabels,
	} {
		for k, v := range sel {
			if labels[k] != v {
				t.Errorf("%s selects %s=%s, which the pods don't carry", what, k, v)
			}
		}
	}
	if ref := m.hpas[0].Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != m.deployments[0].Name {
		t.Errorf("the HPA scales %s %s, want the Deployment %s", ref.Kind, ref.Name, m.deployments[0].Name)
	}
}

// assertSecretFile checks that a NAME_FILE path is a key of the Secret mounted in the container.
func assertSecretFile(t *testing.T, what string, pod corev1.PodSpec, c corev1.Container, path string, secret corev1.Secret) {
	t.Helper()
	for _, vm := range c.VolumeMounts {
		dir := strings.TrimSuffix(vm.MountPath, "/") + "/"
		if !strings.HasPrefix(path, dir) {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && v.Secret != nil && v.Secret.SecretName == secret.Name {
				key := strings.TrimPrefix(path, dir)
				if _, ok := secret.StringData[key]; !ok {
					keys := make([]string, 0, len(secret.StringData))
					for k := range secret.StringData {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					t.Errorf("%s/%s reads %s, but the Secret has no key %q (keys: %v)", what, c.Name, path, key, keys)
				}
				return
			}
		}
	}
	t.Errorf("%s/%s reads %s, which is not in a mounted Secret", what, c.Name, path)
}

// specPaths are the paths of api/openapi.yaml, which the handlers' tests hold
// equal to the router's.
func specPaths(t *testing.T) map[string]bool {
	t.Helper()
	var spec struct {
		Paths map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(repoFile(t, "api/openapi.yaml"), &spec); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for p := range spec.Paths {
		out[p] = true
	}
	return out
}
