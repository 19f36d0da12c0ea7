output "network_id" {
  description = "The ID of the shoot's virtual network."
  value       = azurerm_virtual_network.this.id
}

output "subnet_ids" {
  description = "The nodes subnet of each zone, by zone name (one subnet serves every zone)."
  value       = { for zone in var.zones : zone => azurerm_subnet.nodes.id }
}

output "security_group_id" {
  description = "The ID of the nodes' network security group."
  value       = azurerm_network_security_group.nodes.id
}

output "scaling_groups" {
  description = "One virtual machine scale set per worker pool, by pool name."
  value = {
    for pool, group in azurerm_orchestrated_virtual_machine_scale_set.worker : pool => {
      id             = group.id
      name           = group.name
      minimum        = var.workers[pool].minimum
      maximum        = var.workers[pool].maximum
      zones          = var.workers[pool].zones
      machine_type   = var.workers[pool].machine_type
      user_data_hash = nonsensitive(sha256(base64decode(var.user_data[pool])))
    }
  }
}
