"""Recert: continuing-education and recertification tracker."""
