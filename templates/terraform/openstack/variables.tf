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
  description = "The OpenStack region, e.g. RegionOne."
  type        = string
}

variable "tags" {
  description = "Tags every network resource carries."
  type        = list(string)
  default     = []
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
  description = "The availability zones the shoot uses. OpenStack subnets span zones: one nodes subnet serves them all."
  type        = list(string)

  validation {
    condition     = length(var.zones) > 0
    error_message = "At least one zone is needed."
  }
}

variable "external_network_name" {
  description = "The external (floating IP) network the router connects to."
  type        = string
}

variable "dns_servers" {
  description = "DNS servers handed to the nodes by the subnet's DHCP."
  type        = list(string)
  default     = []
}

variable "machine_image" {
  description = "The name of the nodes' Glance image."
  type        = string
}

variable "key_pair" {
  description = "The name of a Nova key pair for the nodes, or null for none."
  type        = string
  default     = null
}

variable "workers" {
  description = "The worker pools by name: a server group and its servers each."
  type = map(object({
    machine_type   = string
    minimum        = number
    maximum        = number
    volume_size_gb = number
    volume_type    = string
    zones          = list(string)
    metadata       = map(string)
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
    condition     = alltrue([for pool in values(var.workers) : pool.volume_size_gb >= 0])
    error_message = "A worker pool's volume size cannot be negative (0 boots from the flavor's disk)."
  }
}

variable "user_data" {
  description = "The cloud-config of each worker pool, by pool name. It carries bootstrap credentials."
  type        = map(string)
  sensitive   = true
}
