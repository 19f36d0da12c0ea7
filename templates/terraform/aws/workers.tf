data "aws_ami" "node" {
  count = var.machine_image.ami_id == null ? 1 : 0

  most_recent = true
  owners      = [var.machine_image.owner]

  filter {
    name   = "name"
    values = [var.machine_image.name_pattern]
  }

  filter {
    name   = "architecture"
    values = [var.machine_image.architecture]
  }
}

locals {
  image_id = var.machine_image.ami_id != null ? var.machine_image.ami_id : data.aws_ami.node[0].id
}

resource "aws_launch_template" "worker" {
  for_each = var.workers

  name_prefix   = "${var.cluster_name}-${each.key}-"
  image_id      = local.image_id
  instance_type = each.value.machine_type
  user_data     = var.user_data[each.key]

  vpc_security_group_ids = [aws_security_group.nodes.id]

  block_device_mappings {
    device_name = var.machine_image.root_device_name

    ebs {
      volume_size           = each.value.volume_size_gb
      volume_type           = each.value.volume_type
      encrypted             = true
      delete_on_termination = true
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  dynamic "iam_instance_profile" {
    for_each = var.iam_instance_profile == null ? [] : [var.iam_instance_profile]

    content {
      name = iam_instance_profile.value
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, each.value.tags, { Name = "${var.cluster_name}-${each.key}" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.tags, { Name = "${var.cluster_name}-${each.key}" })
  }
}

resource "aws_autoscaling_group" "worker" {
  for_each = var.workers

  name                = "${var.cluster_name}-${each.key}"
  min_size            = each.value.minimum
  max_size            = each.value.maximum
  vpc_zone_identifier = [for zone in each.value.zones : aws_subnet.nodes[zone].id]

  launch_template {
    id      = aws_launch_template.worker[each.key].id
    version = aws_launch_template.worker[each.key].latest_version
  }

  # A new launch template version (machine type, image, cloud-config) rolls
  # the group within the pool's max surge / max unavailable.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = each.value.min_healthy_percentage
      max_healthy_percentage = each.value.max_healthy_percentage
    }
  }

  dynamic "tag" {
    for_each = merge(each.value.tags, { Name = "${var.cluster_name}-${each.key}" })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  # The cluster-autoscaler owns the desired capacity between min and max.
  lifecycle {
    ignore_changes = [desired_capacity]
  }
}
