output "network_id" {
  description = "The ID of the shoot's VPC."
  value       = aws_vpc.this.id
}

output "subnet_ids" {
  description = "The nodes subnet of each zone, by zone name."
  value       = { for zone, subnet in aws_subnet.nodes : zone => subnet.id }
}

output "security_group_id" {
  description = "The ID of the nodes' security group."
  value       = aws_security_group.nodes.id
}

output "scaling_groups" {
  description = "One auto scaling group per worker pool, by pool name."
  value = {
    for pool, group in aws_autoscaling_group.worker : pool => {
      id             = group.arn
      name           = group.name
      minimum        = group.min_size
      maximum        = group.max_size
      zones          = var.workers[pool].zones
      machine_type   = var.workers[pool].machine_type
      user_data_hash = nonsensitive(sha256(base64decode(var.user_data[pool])))
    }
  }
}
