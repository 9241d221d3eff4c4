"""Views of the staff workspace, one module per screen."""
