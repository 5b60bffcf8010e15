module "svc" {
  source   = "./mod"
  boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}
