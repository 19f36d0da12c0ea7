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
  description = "The AWS region, e.g. eu-west-1."
  type        = string
}

variable "tags" {
  description = "Tags every resource carries (besides the kubernetes.io/cluster tag)."
  type        = map(string)
  default     = {}
}

variable "networks" {
  description = "The shoot's node, pod and service CIDRs; the VPC takes the nodes CIDR."
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
  description = "The availability zones, each with a private nodes subnet and a public subnet (NAT gateway, load balancers)."
  type = map(object({
    nodes  = string
    public = string
  }))

  validation {
    condition     = length(var.zones) > 0
    error_message = "At least one zone is needed."
  }

  validation {
    condition     = alltrue([for zone in values(var.zones) : can(cidrhost(zone.nodes, 0)) && can(cidrhost(zone.public, 0))])
    error_message = "Each zone's nodes and public subnets must be CIDRs."
  }
}

variable "machine_image" {
  description = "The nodes' AMI: ami_id if set, else the newest image named like name_pattern owned by owner."
  type = object({
    ami_id           = string
    owner            = string
    name_pattern     = string
    architecture     = string
    root_device_name = string
  })
}

variable "iam_instance_profile" {
  description = "The name of an IAM instance profile for the nodes, or null for none."
  type        = string
  default     = null
}

variable "workers" {
  description = "The worker pools by name: a launch template and an auto scaling group each."
  type = map(object({
    machine_type           = string
    minimum                = number
    maximum                = number
    min_healthy_percentage = number
    max_healthy_percentage = number
    volume_size_gb         = number
    volume_type            = string
    zones                  = list(string)
    tags                   = map(string)
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
    condition = alltrue([
      for pool in values(var.workers) :
      pool.min_healthy_percentage >= 0 && pool.min_healthy_percentage <= 100 &&
      pool.max_healthy_percentage >= 100 && pool.max_healthy_percentage <= 200
    ])
    error_message = "Each worker pool needs 0 <= min_healthy_percentage <= 100 <= max_healthy_percentage <= 200."
  }
}

variable "user_data" {
  description = "The cloud-config of each worker pool, base64-encoded, by pool name. It carries bootstrap credentials."
  type        = map(string)
  sensitive   = true
}
