resource "google_compute_network" "this" {
  name                    = var.cluster_name
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "nodes" {
  name                     = "${var.cluster_name}-nodes"
  region                   = var.region
  network                  = google_compute_network.this.id
  ip_cidr_range            = var.networks.nodes
  private_ip_google_access = true
}

# The nodes have no external addresses: Cloud NAT on a Cloud Router gives
# them a way out.
resource "google_compute_router" "this" {
  name    = var.cluster_name
  region  = var.region
  network = google_compute_network.this.id
}

resource "google_compute_router_nat" "this" {
  name                               = var.cluster_name
  region                             = var.region
  router                             = google_compute_router.this.name
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
}

# Google Cloud routes each node's pod CIDR (the cloud-controller-manager
# creates the routes); the firewall lets the nodes and pods ranges in.
resource "google_compute_firewall" "nodes" {
  name          = "${var.cluster_name}-nodes"
  network       = google_compute_network.this.id
  direction     = "INGRESS"
  source_ranges = [var.networks.nodes, var.networks.pods]
  target_tags   = [var.cluster_name]

  allow {
    protocol = "all"
  }
}
