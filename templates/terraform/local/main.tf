locals {
  # user_data is sensitive; its hash is not, and it is what tells a machine
  # that its cloud-config changed.
  user_data_hashes = {
    for pool in keys(var.workers) : pool => nonsensitive(sha256(var.user_data[pool]))
  }
}

resource "terraform_data" "network" {
  input = {
    name   = var.cluster_name
    region = var.region
    cidr   = var.networks.nodes
    tags   = var.tags
  }
}

resource "terraform_data" "subnet" {
  for_each = var.zones

  input = {
    name       = "${var.cluster_name}-nodes-${each.key}"
    network_id = terraform_data.network.id
    zone       = each.key
    cidr       = each.value.nodes
  }
}

resource "terraform_data" "security_group" {
  input = {
    name       = "${var.cluster_name}-nodes"
    network_id = terraform_data.network.id
    # What the cloud templates allow in: everything from the nodes and pods ranges.
    ingress_cidrs = [var.networks.nodes, var.networks.pods]
  }
}

# One simulated scaling group per worker pool; the local provider registers
# machines for it from the outputs below.
resource "terraform_data" "scaling_group" {
  for_each = var.workers

  input = {
    name               = "${var.cluster_name}-${each.key}"
    machine_type       = each.value.machine_type
    minimum            = each.value.minimum
    maximum            = each.value.maximum
    max_surge          = each.value.max_surge
    max_unavailable    = each.value.max_unavailable
    volume_size_gb     = each.value.volume_size_gb
    volume_type        = each.value.volume_type
    zones              = each.value.zones
    subnet_ids         = [for zone in each.value.zones : terraform_data.subnet[zone].id]
    security_group_id  = terraform_data.security_group.id
    kubernetes_version = each.value.kubernetes_version
    labels             = each.value.labels
    taints             = each.value.taints
    user_data_hash     = local.user_data_hashes[each.key]
  }

  # A new machine type or cloud-config means new machines, as a cloud's
  # launch template / instance template change would roll the group.
  triggers_replace = {
    machine_type   = each.value.machine_type
    user_data_hash = local.user_data_hashes[each.key]
  }
}
