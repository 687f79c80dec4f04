"""Demo data: what a sandbox holds when people start it to try a workflow.

A campaign (#1 in a fresh sandbox, the id the example items use) with one flow that rotates a
landing page and an offer, the traffic source, affiliate network, offer and landing page it
uses. Reports and logs need nothing here: they run over the synthetic dataset, which ends on
the sandbox's today.
"""

from __future__ import annotations

from dataclasses import dataclass

from .campaign_model import create_campaign
from .landings import LANDINGS
from .networks import NETWORKS
from .offers import OFFERS
from .sources import SOURCES
from .store import Store


@dataclass(frozen=True)
class Demo:
    """Ids of the demo entities."""

    campaign_id: int
    campaign_name: str
    offer_id: int
    landing_id: int
    affiliate_network_id: int
    traffic_source_id: int

    def describe(self) -> str:
        return (
            f'campaign #{self.campaign_id} "{self.campaign_name}" with a flow, '
            f"offer #{self.offer_id}, landing page #{self.landing_id}, "
            f"affiliate network #{self.affiliate_network_id}, "
            f"traffic source #{self.traffic_source_id}"
        )


CAMPAIGN_NAME = "Demo campaign"


def seed_demo(store: Store) -> Demo | None:
    """Create the demo entities unless the store already holds campaigns (a kept --db)."""
    if store.scalar("SELECT 1 FROM campaigns LIMIT 1") is not None:
        return None
    source = SOURCES.insert(store, {"name": "Demo traffic source"})
    network = NETWORKS.insert(store, {"name": "Demo affiliate network"})
    offer = OFFERS.insert(
        store,
        {
            "name": "Demo offer",
            "affiliate_network_id": network,
            "action_type": "http",
            "action_payload": "https://offer.example.com/?click={subid}",
            "payout_value": 12.5,
        },
    )
    landing = LANDINGS.insert(store, {"name": "Demo landing page"})
    campaign = create_campaign(
        store,
        {
            "name": CAMPAIGN_NAME,
            "alias": "demo",
            "traffic_source_id": source,
            "streams": [
                {
                    "type": "regular",
                    "name": "Landing + offer",
                    "schema": "landings",
                    "action_type": "http",
                    "landings": [{"landing_id": landing, "share": 100}],
                    "offers": [{"offer_id": offer, "share": 100}],
                }
            ],
        },
    )
    return Demo(campaign, CAMPAIGN_NAME, offer, landing, network, source)
