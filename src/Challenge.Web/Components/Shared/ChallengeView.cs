using Challenge.Core.Challenges;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;

namespace Challenge.Web.Components.Shared;

// What every tab of a challenge needs: the challenge, its tasks and the viewer's standing in it.
public sealed record ChallengeView(
    Competition Challenge,
    IReadOnlyList<CompetitionTask> Tasks,
    string? UserId,
    Membership? Membership,
    bool CanManage,
    bool CanSeePrivate,
    DateTime NowUtc)
{
    public bool SignedIn => UserId is not null;

    public bool AcceptedRules => Membership?.AcceptedRules == true;
}
