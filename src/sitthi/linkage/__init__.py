"""Identity resolution: one person, one ``person_id``, across every agency's records.

Stages, each recorded on every link so a case worker can see why two records are one
person: exact national ID, ID repair, probabilistic matching with Splink, then clustering
into persons whose IDs stay stable from run to run. Households and the review queue build
on the result. The service is `sitthi.linkage.service.link_store`.
"""
