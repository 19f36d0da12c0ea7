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
  description = "The Azure location, e.g. westeurope."
  type        = string
}

variable "tags" {
  description = "Tags every resource carries (Azure tag rules: no '<>%&\\?/' in names)."
  type        = map(string)
  default     = {}
}

variable "networks" {
  description = "The shoot's node, pod and service CIDRs; the VNet takes the nodes CIDR."
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
  description = "The availability zones the shoot uses (\"1\", \"2\", \"3\"). Azure subnets span zones: one nodes subnet serves them all."
  type        = list(string)

  validation {
    condition     = length(var.zones) > 0
    error_message = "At least one zone is needed."
  }
}

variable "machine_image" {
  description = "The nodes' marketplace image."
  type = object({
    publisher = string
    offer     = string
    sku       = string
    version   = string
  })
}

variable "admin" {
  description = "The nodes' administrator account: Azure requires one with an SSH public key."
  type = object({
    username       = string
    ssh_public_key = string
  })
}

variable "workers" {
  description = "The worker pools by name: a virtual machine scale set (flexible orchestration) each."
  type = map(object({
    machine_type   = string
    minimum        = number
    maximum        = number
    volume_size_gb = number
    volume_type    = string
    zones          = list(string)
    tags           = map(string)
  }))

  validation {
    condition     = alltrue([for pool in values(var.workers) : pool.minimum >= 0 && pool.minimum <= pool.maximum])
    error_message = "Each worker pool needs 0 <= minimum <= maximum."
  }

  validation {
    condition     = alltrue([for pool in values(var.workers) : length(pool.zones) > 0])
    error_message = "Each worker pool needs at least one zone."
  }
}

variable "user_data" {
  description = "The cloud-config of each worker pool, base64-encoded, by pool name. It carries bootstrap credentials."
  type        = map(string)
  sensitive   = true
}
