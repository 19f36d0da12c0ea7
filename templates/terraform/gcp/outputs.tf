output "network_id" {
  description = "The ID of the shoot's VPC network."
  value       = google_compute_network.this.id
}

output "subnet_ids" {
  description = "The nodes subnet of each zone, by zone name (one regional subnet serves every zone)."
  value       = { for zone in var.zones : zone => google_compute_subnetwork.nodes.id }
}

output "security_group_id" {
  description = "The ID of the firewall rule that lets the nodes and pods ranges in."
  value       = google_compute_firewall.nodes.id
}

output "scaling_groups" {
  description = "One regional managed instance group per worker pool, by pool name."
  value = {
    for pool, group in google_compute_region_instance_group_manager.worker : pool => {
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
