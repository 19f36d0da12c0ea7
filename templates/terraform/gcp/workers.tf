resource "google_compute_instance_template" "worker" {
  for_each = var.workers

  name_prefix  = "${var.cluster_name}-${each.key}-"
  machine_type = each.value.machine_type
  tags         = [var.cluster_name]
  labels       = merge(var.labels, each.value.labels)

  metadata = merge(each.value.metadata, {
    user-data = var.user_data[each.key]
  })

  disk {
    boot         = true
    auto_delete  = true
    source_image = var.machine_image
    disk_size_gb = each.value.volume_size_gb
    disk_type    = each.value.volume_type
  }

  network_interface {
    subnetwork = google_compute_subnetwork.nodes.id
  }

  dynamic "service_account" {
    for_each = var.service_account_email == null ? [] : [var.service_account_email]

    content {
      email  = service_account.value
      scopes = ["cloud-platform"]
    }
  }

  # Instance templates are immutable: a change makes a new one, which the
  # group rolls to before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_region_instance_group_manager" "worker" {
  for_each = var.workers

  name                      = "${var.cluster_name}-${each.key}"
  base_instance_name        = "${var.cluster_name}-${each.key}"
  region                    = var.region
  distribution_policy_zones = each.value.zones
  target_size               = each.value.minimum

  version {
    name              = each.key
    instance_template = google_compute_instance_template.worker[each.key].self_link_unique
  }

  update_policy {
    type                  = "PROACTIVE"
    minimal_action        = "REPLACE"
    max_surge_fixed       = each.value.max_surge_fixed
    max_unavailable_fixed = each.value.max_unavailable_fixed
  }

  # The group starts at the pool's minimum; the cluster-autoscaler owns the
  # size between minimum and maximum after that.
  lifecycle {
    ignore_changes = [target_size]
  }
}
