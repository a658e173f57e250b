"""The mechanisms M1-M15 of DOMAIN.md §3, each a named function.

| id  | mechanism                         | function(s)                                                        |
|-----|-----------------------------------|--------------------------------------------------------------------|
| M1  | own targets                       | labour_market.update_labour_market (shortfall); environment.update_rivalry; the rivalry term of table.member_support |
| M2  | joint targets                     | environment.update_rivalry (relief)                                 |
| M3  | trust on ties                     | trust.build_trust_through_contact; execution.deliver, execution.drop (ties.learn_from_record) |
| M4  | autonomy                          | the say term of table.member_support; actors.update_participation   |
| M5  | leadership of the centre          | table.choose_proposals; leadership.after_the_vote, leadership.find_allies; persuasion in member_support |
| M6  | aldermen                          | environment.hold_elections; the alderman term of member_support     |
| M7  | UWV                               | environment.close_uwv_offices; actors.adopt_uwv_systems; central room in member_support |
| M8  | SW companies                      | actors.update_sw_stance, actors.strain_of_competing_sw; competition in update_rivalry; partners' networks in labour_market.update_labour_market |
| M9  | employer organisations            | actors.update_employer_engagement                                   |
| M10 | outside pressure                  | environment.update_outside_pressure, apply_subsidy_windows; deadline agenda in choose_proposals |
| M11 | belief and evidence               | labour_market.update_labour_market (results); belief.gather_evidence, belief.update_belief |
| M12 | regional structure                | initialise (structure, subregions, commuting); actors.update_participation; execution.steering_layers |
| M13 | from governance to execution      | execution.schedule / deliver / lapse; mandate term of member_support |
| M14 | cost shifting                     | environment.update_rivalry; WW to assistance in labour_market       |
| M15 | turbulence                        | environment.update_turbulence                                       |

Each mechanism can be switched off (``mechanisms_off=...``) for
the structural test of the calibration; docs/ODD.md §7.7 says what "off"
means for each.
"""

from chainsim.core.world import MECHANISMS

__all__ = ["MECHANISMS"]
