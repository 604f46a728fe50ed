"""The command line: :mod:`.app` builds it, :mod:`.common` holds what verbs share, :mod:`.verbs`
has one module per verb."""
