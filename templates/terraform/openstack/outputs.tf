output "network_id" {
  description = "The ID of the shoot's network."
  value       = openstack_networking_network_v2.this.id
}

output "subnet_ids" {
  description = "The nodes subnet of each zone, by zone name (one subnet serves every zone)."
  value       = { for zone in var.zones : zone => openstack_networking_subnet_v2.nodes.id }
}

output "security_group_id" {
  description = "The ID of the nodes' security group."
  value       = openstack_networking_secgroup_v2.nodes.id
}

output "scaling_groups" {
  description = "One server group per worker pool, by pool name."
  value = {
    for pool, group in openstack_compute_servergroup_v2.worker : pool => {
      id             = group.id
      name           = group.name
      minimum        = var.workers[pool].minimum
      maximum        = var.workers[pool].maximum
      zones          = var.workers[pool].zones
      machine_type   = var.workers[pool].machine_type
      user_data_hash = nonsensitive(sha256(var.user_data[pool]))
    }
  }
}
