terraform {
  required_version = ">= 1.5.0"

  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = ">= 3.0.0, < 4.0.0"
    }
  }

  # Partial configuration: kubegarden passes config_path, namespace and
  # secret_suffix with -backend-config at init, so the state lives in a Secret
  # in the shoot's namespace on its seed.
  backend "kubernetes" {}
}

# Credentials come from the environment (OS_AUTH_URL, OS_USERNAME,
# OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, ... or an application
# credential), set by kubegarden from the shoot's credentials.
provider "openstack" {
  region = var.region
}
