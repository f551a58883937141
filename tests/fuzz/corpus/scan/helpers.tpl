{{/* Helpers: the object below is rendered by include "chart.pdb". */}}
{{- define "chart.pdb" -}}
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}
{{- end -}}
