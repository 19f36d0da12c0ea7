data "openstack_images_image_v2" "node" {
  name        = var.machine_image
  most_recent = true
}

locals {
  # OpenStack has no scaling group: each pool gets a server group and
  # `minimum` servers, spread round-robin over the pool's zones.
  machines = merge([
    for pool, worker in var.workers : {
      for index in range(worker.minimum) : "${pool}-${index}" => {
        pool = pool
        zone = worker.zones[index % length(worker.zones)]
      }
    }
  ]...)
}

resource "openstack_compute_servergroup_v2" "worker" {
  for_each = var.workers

  name     = "${var.cluster_name}-${each.key}"
  policies = ["soft-anti-affinity"]
}

# The pods' addresses leave the nodes unmasqueraded: the ports must allow
# them besides the nodes' own.
resource "openstack_networking_port_v2" "worker" {
  for_each = local.machines

  name               = "${var.cluster_name}-${each.key}"
  network_id         = openstack_networking_network_v2.this.id
  security_group_ids = [openstack_networking_secgroup_v2.nodes.id]
  admin_state_up     = true
  tags               = var.tags

  fixed_ip {
    subnet_id = openstack_networking_subnet_v2.nodes.id
  }

  allowed_address_pairs {
    ip_address = var.networks.pods
  }
}

resource "openstack_compute_instance_v2" "worker" {
  for_each = local.machines

  name              = "${var.cluster_name}-${each.key}"
  flavor_name       = var.workers[each.value.pool].machine_type
  image_id          = data.openstack_images_image_v2.node.id
  availability_zone = each.value.zone
  key_pair          = var.key_pair
  user_data         = var.user_data[each.value.pool]
  metadata          = var.workers[each.value.pool].metadata

  network {
    port = openstack_networking_port_v2.worker[each.key].id
  }

  scheduler_hints {
    group = openstack_compute_servergroup_v2.worker[each.value.pool].id
  }

  # A volume size of 0 boots from the flavor's local disk.
  dynamic "block_device" {
    for_each = var.workers[each.value.pool].volume_size_gb > 0 ? [var.workers[each.value.pool]] : []

    content {
      uuid                  = data.openstack_images_image_v2.node.id
      source_type           = "image"
      destination_type      = "volume"
      boot_index            = 0
      volume_size           = block_device.value.volume_size_gb
      volume_type           = block_device.value.volume_type
      delete_on_termination = true
    }
  }

  depends_on = [openstack_networking_router_interface_v2.nodes]
}
