output "network_id" {
  description = "The ID of the shoot's network."
  value       = terraform_data.network.id
}

output "subnet_ids" {
  description = "The nodes subnet of each zone, by zone name."
  value       = { for zone, subnet in terraform_data.subnet : zone => subnet.id }
}

output "security_group_id" {
  description = "The ID of the nodes' security group."
  value       = terraform_data.security_group.id
}

output "scaling_groups" {
  description = "One scaling group per worker pool, by pool name."
  value = {
    for pool, group in terraform_data.scaling_group : pool => {
      id             = group.id
      name           = group.output.name
      minimum        = group.output.minimum
      maximum        = group.output.maximum
      zones          = group.output.zones
      machine_type   = group.output.machine_type
      user_data_hash = group.output.user_data_hash
    }
  }
}
