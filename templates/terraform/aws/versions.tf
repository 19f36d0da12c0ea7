terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 7.0.0"
    }
  }

  # Partial configuration: kubegarden passes config_path, namespace and
  # secret_suffix with -backend-config at init, so the state lives in a Secret
  # in the shoot's namespace on its seed.
  backend "kubernetes" {}
}

# Credentials come from the environment (AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY), set by kubegarden from the shoot's credentials.
provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}
