# Flexible orchestration is what Azure recommends for new scale sets; the
# cluster-autoscaler scales it between the pool's minimum and maximum (the
# "min" and "max" tags).
resource "azurerm_orchestrated_virtual_machine_scale_set" "worker" {
  for_each = var.workers

  name                        = "${var.cluster_name}-${each.key}"
  location                    = azurerm_resource_group.this.location
  resource_group_name         = azurerm_resource_group.this.name
  platform_fault_domain_count = 1
  sku_name                    = each.value.machine_type
  instances                   = each.value.minimum
  zones                       = each.value.zones
  tags                        = merge(var.tags, each.value.tags)

  source_image_reference {
    publisher = var.machine_image.publisher
    offer     = var.machine_image.offer
    sku       = var.machine_image.sku
    version   = var.machine_image.version
  }

  os_profile {
    custom_data = var.user_data[each.key]

    linux_configuration {
      admin_username                  = var.admin.username
      disable_password_authentication = true

      admin_ssh_key {
        username   = var.admin.username
        public_key = var.admin.ssh_public_key
      }
    }
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = each.value.volume_type
    disk_size_gb         = each.value.volume_size_gb
  }

  network_interface {
    name    = "${var.cluster_name}-${each.key}"
    primary = true

    ip_configuration {
      name      = "nodes"
      primary   = true
      subnet_id = azurerm_subnet.nodes.id
    }
  }

  # The scale set starts at the pool's minimum; the cluster-autoscaler owns
  # the instance count after that.
  lifecycle {
    ignore_changes = [instances]
  }

  depends_on = [
    azurerm_subnet_network_security_group_association.nodes,
    azurerm_subnet_nat_gateway_association.nodes,
  ]
}
