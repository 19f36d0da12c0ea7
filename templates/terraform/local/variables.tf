# Every value reaches this configuration through terraform.tfvars.json,
# written by kubegarden; nothing in these files is generated.

variable "cluster_name" {
  description = "The shoot's namespace in its seed (shoot--<project>--<name>); prefixes every name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.cluster_name))
    error_message = "The cluster_name must be a DNS label (lowercase letters, digits and '-', at most 63 characters)."
  }
}

variable "region" {
  description = "The region the shoot runs in."
  type        = string
}

variable "tags" {
  description = "Tags every simulated resource carries."
  type        = map(string)
  default     = {}
}

variable "networks" {
  description = "The shoot's node, pod and service CIDRs."
  type = object({
    nodes    = string
    pods     = string
    services = string
  })

  validation {
    condition     = alltrue([for cidr in values(var.networks) : can(cidrhost(cidr, 0))])
    error_message = "The nodes, pods and services networks must be CIDRs."
  }
}

variable "zones" {
  description = "The zones the shoot uses, each with the CIDR of its nodes subnet."
  type = map(object({
    nodes = string
  }))

  validation {
    condition     = length(var.zones) > 0
    error_message = "At least one zone is needed."
  }

  validation {
    condition     = alltrue([for zone in values(var.zones) : can(cidrhost(zone.nodes, 0))])
    error_message = "Each zone's nodes subnet must be a CIDR."
  }
}

variable "workers" {
  description = "The worker pools by name: one scaling group each."
  type = map(object({
    machine_type       = string
    minimum            = number
    maximum            = number
    max_surge          = number
    max_unavailable    = number
    volume_size_gb     = number
    volume_type        = string
    zones              = list(string)
    kubernetes_version = string
    labels             = map(string)
    taints = list(object({
      key    = string
      value  = string
      effect = string
    }))
  }))

  validation {
    condition     = alltrue([for pool in values(var.workers) : pool.minimum >= 0 && pool.minimum <= pool.maximum])
    error_message = "Each worker pool needs 0 <= minimum <= maximum."
  }

  validation {
    condition     = alltrue([for pool in values(var.workers) : length(pool.zones) > 0])
    error_message = "Each worker pool needs at least one zone."
  }

  validation {
    condition = alltrue(flatten([
      for pool in values(var.workers) : [
        for taint in pool.taints : contains(["NoSchedule", "PreferNoSchedule", "NoExecute"], taint.effect)
      ]
    ]))
    error_message = "A taint's effect must be NoSchedule, PreferNoSchedule or NoExecute."
  }
}

variable "user_data" {
  description = "The cloud-config of each worker pool, by pool name. It carries bootstrap credentials."
  type        = map(string)
  sensitive   = true
}
