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

variable "project_id" {
  description = "The Google Cloud project that holds the shoot's resources."
  type        = string
}

variable "region" {
  description = "The Google Cloud region, e.g. europe-west1."
  type        = string
}

variable "labels" {
  description = "Labels every resource that takes labels carries (Google Cloud label rules: lowercase, at most 63 characters)."
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
  description = "The zones the shoot uses. Google Cloud subnets are regional: one nodes subnet serves them all."
  type        = list(string)

  validation {
    condition     = length(var.zones) > 0
    error_message = "At least one zone is needed."
  }
}

variable "machine_image" {
  description = "The nodes' boot image: an image or image family (e.g. projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64)."
  type        = string
}

variable "service_account_email" {
  description = "The service account the nodes run as, or null for none."
  type        = string
  default     = null
}

variable "workers" {
  description = "The worker pools by name: an instance template and a regional managed instance group each."
  type = map(object({
    machine_type          = string
    minimum               = number
    maximum               = number
    max_surge_fixed       = number
    max_unavailable_fixed = number
    volume_size_gb        = number
    volume_type           = string
    zones                 = list(string)
    labels                = map(string)
    metadata              = map(string)
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
    condition     = alltrue([for pool in values(var.workers) : pool.max_surge_fixed + pool.max_unavailable_fixed > 0])
    error_message = "Each worker pool needs a max surge or a max unavailable above zero."
  }
}

variable "user_data" {
  description = "The cloud-config of each worker pool, by pool name. It carries bootstrap credentials."
  type        = map(string)
  sensitive   = true
}
