locals {
  tags = merge(var.tags, {
    "kubernetes.io/cluster/${var.cluster_name}" = "owned"
  })
}

resource "aws_vpc" "this" {
  cidr_block           = var.networks.nodes
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = var.cluster_name
  }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = {
    Name = var.cluster_name
  }
}

# Public subnets hold the NAT gateways and internet-facing load balancers.
resource "aws_subnet" "public" {
  for_each = var.zones

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value.public

  tags = {
    Name                     = "${var.cluster_name}-public-${each.key}"
    "kubernetes.io/role/elb" = "1"
  }
}

# The nodes live in private subnets, one per zone, and reach out through
# their zone's NAT gateway.
resource "aws_subnet" "nodes" {
  for_each = var.zones

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value.nodes

  tags = {
    Name                              = "${var.cluster_name}-nodes-${each.key}"
    "kubernetes.io/role/internal-elb" = "1"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.cluster_name}-public"
  }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = var.zones

  subnet_id      = aws_subnet.public[each.key].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  for_each = var.zones

  domain = "vpc"

  tags = {
    Name = "${var.cluster_name}-nat-${each.key}"
  }
}

resource "aws_nat_gateway" "this" {
  for_each = var.zones

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.key].id

  tags = {
    Name = "${var.cluster_name}-${each.key}"
  }

  depends_on = [aws_internet_gateway.this]
}

# One route table per zone for the nodes subnets: the default route goes to
# the zone's NAT gateway, and the cloud-controller-manager adds the pods'
# routes (one per node's pod CIDR) to the tables tagged with the cluster.
resource "aws_route_table" "nodes" {
  for_each = var.zones

  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.cluster_name}-nodes-${each.key}"
  }
}

resource "aws_route" "nodes_nat" {
  for_each = var.zones

  route_table_id         = aws_route_table.nodes[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[each.key].id
}

resource "aws_route_table_association" "nodes" {
  for_each = var.zones

  subnet_id      = aws_subnet.nodes[each.key].id
  route_table_id = aws_route_table.nodes[each.key].id
}

resource "aws_security_group" "nodes" {
  name        = "${var.cluster_name}-nodes"
  description = "Kubernetes nodes of ${var.cluster_name}"
  vpc_id      = aws_vpc.this.id

  tags = {
    Name = "${var.cluster_name}-nodes"
  }
}

# Nodes and pods talk to each other on every protocol and port.
resource "aws_vpc_security_group_ingress_rule" "from_nodes" {
  security_group_id = aws_security_group.nodes.id
  description       = "All traffic from the nodes range"
  cidr_ipv4         = var.networks.nodes
  ip_protocol       = "-1"
}

resource "aws_vpc_security_group_ingress_rule" "from_pods" {
  security_group_id = aws_security_group.nodes.id
  description       = "All traffic from the pods range"
  cidr_ipv4         = var.networks.pods
  ip_protocol       = "-1"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.nodes.id
  description       = "All outbound traffic"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}
