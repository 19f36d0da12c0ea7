terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0, < 8.0.0"
    }
  }

  # Partial configuration: kubegarden passes config_path, namespace and
  # secret_suffix with -backend-config at init, so the state lives in a Secret
  # in the shoot's namespace on its seed.
  backend "kubernetes" {}
}

# Credentials come from the environment (GOOGLE_CREDENTIALS: the service
# account's JSON key), set by kubegarden from the shoot's credentials.
provider "google" {
  project = var.project_id
  region  = var.region
}
