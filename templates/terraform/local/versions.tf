# The local provider's infrastructure: the same network and scaling-group
# shape as the cloud templates, modelled with Terraform's built-in
# terraform_data resource so that it plans and applies without any provider
# plugin (and without network access).

terraform {
  required_version = ">= 1.5.0"

  # Partial configuration: kubegarden passes config_path, namespace and
  # secret_suffix with -backend-config at init, so the state lives in a Secret
  # in the shoot's namespace on its seed.
  backend "kubernetes" {}
}
