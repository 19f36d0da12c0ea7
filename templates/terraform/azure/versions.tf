terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0.0, < 5.0.0"
    }
  }

  # Partial configuration: kubegarden passes config_path, namespace and
  # secret_suffix with -backend-config at init, so the state lives in a Secret
  # in the shoot's namespace on its seed.
  backend "kubernetes" {}
}

# Credentials come from the environment (ARM_CLIENT_ID, ARM_CLIENT_SECRET,
# ARM_TENANT_ID, ARM_SUBSCRIPTION_ID), set by kubegarden from the shoot's
# credentials.
provider "azurerm" {
  features {}
}
