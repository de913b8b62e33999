{{/* Chart name, overridable. */}}
{{- define "terngate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already holds the chart's. */}}
{{- define "terngate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "terngate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "terngate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "terngate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "terngate.labels" -}}
helm.sh/chart: {{ include "terngate.chart" . }}
app.kubernetes.io/name: {{ include "terngate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: terngate
{{- end }}

{{- define "terngate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "terngate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "terngate.redisName" -}}
{{- printf "%s-redis" (include "terngate.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Secret holding the single key pair: the user's, or this chart's. */}}
{{- define "terngate.authSecretName" -}}
{{- default (include "terngate.fullname" .) .Values.auth.existingSecret }}
{{- end }}

{{- define "terngate.usersSecretName" -}}
{{- default (printf "%s-users" (include "terngate.fullname" .)) .Values.auth.usersFile.existingSecret }}
{{- end }}

{{- define "terngate.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "terngate.fullname" .)) .Values.tls.existingSecret }}
{{- end }}

{{- define "terngate.redisSecretName" -}}
{{- default (include "terngate.fullname" .) .Values.redis.existingSecret }}
{{- end }}

{{/* "true" when a single key pair is configured (inline or existing Secret). */}}
{{- define "terngate.hasKeyPair" -}}
{{- if or .Values.auth.existingSecret .Values.auth.accessKey }}true{{ end }}
{{- end }}

{{/* "true" when the chart's own Secret has anything to hold. */}}
{{- define "terngate.ownSecret" -}}
{{- if or (and .Values.auth.accessKey (not .Values.auth.existingSecret) (not .Values.auth.usersFile.enabled)) (and .Values.redis.url (not .Values.redis.existingSecret)) }}true{{ end }}
{{- end }}

{{/* "true" when gateways share multipart state through Redis. */}}
{{- define "terngate.hasRedis" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret .Values.redis.internal.enabled }}true{{ end }}
{{- end }}

{{/* "true" when more than one gateway pod may run. */}}
{{- define "terngate.multiPod" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* "true" when the data dir is a PersistentVolumeClaim. */}}
{{- define "terngate.persistent" -}}
{{- if and (eq .Values.store.type "local") .Values.store.local.persistence.enabled }}true{{ end }}
{{- end }}

{{/*
Checks that combinations of values make sense; the schema checks each value
on its own. Included by the Deployment, so a bad combination fails rendering.
*/}}
{{- define "terngate.validate" -}}
{{- $v := .Values }}
{{- if and (eq $v.store.type "local") (gt (int $v.replicaCount) 1) }}
{{- fail (printf "store.type=local supports exactly one replica (replicaCount is %d): the embedded store is one process's database on one volume. Use store.type=ternfs to run several gateways." (int $v.replicaCount)) }}
{{- end }}
{{- if and (eq $v.store.type "local") $v.autoscaling.enabled }}
{{- fail "store.type=local cannot autoscale: the embedded store is one process's database on one volume. Disable autoscaling or use store.type=ternfs." }}
{{- end }}
{{- if and (include "terngate.multiPod" .) (not (include "terngate.hasRedis" .)) }}
{{- fail "several gateway pods need a shared multipart tracker and, on TernFS, shared write leases (both in Redis): set redis.url, redis.existingSecret or redis.internal.enabled" }}
{{- end }}
{{- if and $v.encryption.kms.existingSecret (or $v.encryption.kms.endpoint $v.encryption.kms.defaultKey) }}
{{- fail "encryption.kms: a static key ring (existingSecret) or an external KMS (endpoint, defaultKey), not both" }}
{{- end }}
{{- if and $v.encryption.kms.endpoint (not $v.encryption.kms.defaultKey) }}
{{- fail "encryption.kms.endpoint needs encryption.kms.defaultKey, the key of requests that name none" }}
{{- end }}
{{- if and (eq $v.store.type "ternfs") (not $v.ternfs.registryAddresses) }}
{{- fail "store.type=ternfs needs ternfs.registryAddresses" }}
{{- end }}
{{- if and (ne $v.store.type "local") (not (include "terngate.hasKeyPair" .)) (not $v.auth.usersFile.enabled) }}
{{- fail "without a persistent local store every pod would generate its own key pair: set auth.accessKey/auth.secretKey, auth.existingSecret or auth.usersFile" }}
{{- end }}
{{- if and $v.auth.accessKey (not $v.auth.secretKey) }}
{{- fail "auth.accessKey needs auth.secretKey" }}
{{- end }}
{{- if and $v.auth.usersFile.enabled (include "terngate.hasKeyPair" .) }}
{{- fail "auth.usersFile replaces the single key pair: unset auth.accessKey/auth.existingSecret" }}
{{- end }}
{{- if and $v.auth.usersFile.enabled (not $v.auth.usersFile.users) (not $v.auth.usersFile.existingSecret) }}
{{- fail "auth.usersFile.enabled needs auth.usersFile.users or auth.usersFile.existingSecret" }}
{{- end }}
{{- if and $v.tls.enabled (not $v.tls.selfSigned) (not $v.tls.existingSecret) (not (and $v.tls.cert $v.tls.key)) }}
{{- fail "tls.enabled needs tls.selfSigned, tls.existingSecret or both tls.cert and tls.key" }}
{{- end }}
{{- if and $v.tls.enabled $v.tls.selfSigned (or $v.tls.existingSecret $v.tls.cert) }}
{{- fail "tls.selfSigned cannot be combined with a certificate (tls.existingSecret, tls.cert)" }}
{{- end }}
{{- if and $v.redis.internal.enabled (or $v.redis.url $v.redis.existingSecret) }}
{{- fail "redis.internal.enabled and an external Redis (redis.url, redis.existingSecret) exclude each other" }}
{{- end }}
{{- if le (int $v.terminationGracePeriodSeconds) (add (int $v.gateway.shutdownGraceSeconds) (int $v.preStopSleepSeconds) | int) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed gateway.shutdownGraceSeconds (%d) plus preStopSleepSeconds (%d)" (int $v.terminationGracePeriodSeconds) (int $v.gateway.shutdownGraceSeconds) (int $v.preStopSleepSeconds)) }}
{{- end }}
{{- if eq (int $v.gateway.port) (int $v.admin.port) }}
{{- fail "gateway.port and admin.port must differ" }}
{{- end }}
{{- end }}

{{- define "terngate.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "terngate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}
