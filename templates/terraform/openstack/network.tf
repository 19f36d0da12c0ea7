data "openstack_networking_network_v2" "external" {
  name     = var.external_network_name
  external = true
}

resource "openstack_networking_network_v2" "this" {
  name           = var.cluster_name
  admin_state_up = true
  tags           = var.tags
}

resource "openstack_networking_subnet_v2" "nodes" {
  name            = "${var.cluster_name}-nodes"
  network_id      = openstack_networking_network_v2.this.id
  cidr            = var.networks.nodes
  ip_version      = 4
  dns_nameservers = var.dns_servers
  tags            = var.tags
}

# The router is the nodes' way out (SNAT to the external network); the
# cloud-controller-manager adds each node's pod CIDR to its routes.
resource "openstack_networking_router_v2" "this" {
  name                = var.cluster_name
  admin_state_up      = true
  external_network_id = data.openstack_networking_network_v2.external.id
  tags                = var.tags
}

resource "openstack_networking_router_interface_v2" "nodes" {
  router_id = openstack_networking_router_v2.this.id
  subnet_id = openstack_networking_subnet_v2.nodes.id
}

resource "openstack_networking_secgroup_v2" "nodes" {
  name        = "${var.cluster_name}-nodes"
  description = "Kubernetes nodes of ${var.cluster_name}"
  tags        = var.tags
}

# Nodes and pods talk to each other on every protocol and port; the default
# rules already let everything out.
resource "openstack_networking_secgroup_rule_v2" "from_nodes" {
  security_group_id = openstack_networking_secgroup_v2.nodes.id
  direction         = "ingress"
  ethertype         = "IPv4"
  remote_ip_prefix  = var.networks.nodes
}

resource "openstack_networking_secgroup_rule_v2" "from_pods" {
  security_group_id = openstack_networking_secgroup_v2.nodes.id
  direction         = "ingress"
  ethertype         = "IPv4"
  remote_ip_prefix  = var.networks.pods
}
